import { ConfigError } from '@ipledger/config';

/** The application core's own knobs (the pool watermarks, cooldown and vSwitch block live in the eni-config). */
export interface CoreKnobs {
  /** IPLEDGER_ALLOCATE_WAIT_MS: how long AllocateIp waits for the pool to grow. Default 10 000. */
  allocateWaitMs: number;
  /** IPLEDGER_POOL_TICK_MS: every node gets a pool cycle this often (± 20 %). Default 30 000. */
  poolTickMs: number;
  /** IPLEDGER_POOL_COALESCE_MS: a trigger waits this long to plan a burst of waiters at once. Default 10. */
  poolCoalesceMs: number;
  /** IPLEDGER_CONFIG_RELOAD_MS: how often the eni-config source and the cluster stream are re-read. Default 10 000. */
  configReloadMs: number;
  /** IPLEDGER_LEAK_SWEEP_MS: how often ENIs tagged with the cluster id but unknown to the ledger are looked for; 0 = never. Default 600 000. */
  leakSweepMs: number;
  /**
   * IPLEDGER_SNAPSHOT_EVERY: a node's state is snapshotted once its stream has moved this many events past
   * the last snapshot; 0 = no snapshots (every load folds the whole stream). Default 1 000.
   */
  snapshotEvery: number;
}

/** Each knob: its variable, default, minimum and unit. */
const VARIABLES: Record<keyof CoreKnobs, [string, number, number, string]> = {
  allocateWaitMs: ['IPLEDGER_ALLOCATE_WAIT_MS', 10_000, 0, 'milliseconds'],
  poolTickMs: ['IPLEDGER_POOL_TICK_MS', 30_000, 100, 'milliseconds'],
  poolCoalesceMs: ['IPLEDGER_POOL_COALESCE_MS', 10, 0, 'milliseconds'],
  configReloadMs: ['IPLEDGER_CONFIG_RELOAD_MS', 10_000, 0, 'milliseconds'],
  leakSweepMs: ['IPLEDGER_LEAK_SWEEP_MS', 600_000, 0, 'milliseconds'],
  snapshotEvery: ['IPLEDGER_SNAPSHOT_EVERY', 1_000, 0, 'events'],
};

/** Reads the knobs from the environment; every bad value is reported at once, naming its variable. */
export function readCoreKnobs(env: Readonly<Record<string, string | undefined>>): CoreKnobs {
  const problems: string[] = [];
  const knobs = {} as CoreKnobs;
  for (const [key, [name, fallback, min, unit]] of Object.entries(VARIABLES) as [
    keyof CoreKnobs,
    [string, number, number, string],
  ][]) {
    const raw = env[name]?.trim();
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min) {
      problems.push(`${name}: "${raw}" must be a whole number of ${unit} >= ${min}`);
    }
    knobs[key] = value;
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return knobs;
}
