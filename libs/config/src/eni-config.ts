// The pool and cloud settings of a cluster, read from Terway's `eni_conf` JSON (snake_case keys) plus a few
// keys of ipledger's own. Parsed and validated by eni-config.parser.ts; docs/configuration.md lists them.

import { CLOUD_API_NAMES, type CloudApiName } from '@ipledger/domain';

/** The cloud APIs ipledger calls, each behind its own per-minute token bucket (one list: libs/domain). */
export const CLOUD_APIS = CLOUD_API_NAMES;
export type CloudApi = CloudApiName;
export { DEFAULT_RATE_LIMITS } from '@ipledger/domain';

/** `ordered`: the vSwitch with the most free addresses first; `random`: a shuffled order (Terway's default). */
export type VSwitchSelectionPolicy = 'ordered' | 'random';

/** Only IPv4 is allocated for now; `dual` is rejected with a message saying so. */
export type IpStack = 'ipv4';

export interface IdleIpReclaim {
  /** Trim idle IPs down to min_pool_size once the pool went unchanged this long; null: never. */
  afterMs: number | null;
  intervalMs: number;
  batchSize: number;
  jitterFactor: number;
}

export interface EniConfig {
  maxPoolSize: number;
  minPoolSize: number;
  /** Zone id → vSwitch ids, in the order given. */
  vswitches: Readonly<Record<string, readonly string[]>>;
  vswitchSelectionPolicy: VSwitchSelectionPolicy;
  /** `security_group` and `security_groups` merged, duplicates dropped, at most 10. */
  securityGroupIds: readonly string[];
  /** The cluster's IPv4 Service CIDR, handed to pods for their Service route; null when not set. */
  serviceCidr: string | null;
  eniTags: Readonly<Record<string, string>>;
  ipStack: IpStack;
  enableEniTrunking: boolean;
  /** Calls per minute per cloud API, defaults merged with `rate_limit`. */
  rateLimits: Readonly<Record<CloudApi, number>>;
  idleIpReclaim: IdleIpReclaim;
  /** How long a released IP rests before anyone may get it again. */
  ipCooldownMs: number;
  /** How long a vSwitch that ran out of addresses is skipped. */
  vswitchBlockMs: number;
  /** Tags every ENI ipledger creates, so that the leak sweeper touches this cluster's ENIs only. */
  clusterId: string;
}

export const ENI_CONFIG_DEFAULTS = {
  maxPoolSize: 5,
  minPoolSize: 0,
  vswitchSelectionPolicy: 'random',
  ipStack: 'ipv4',
  enableEniTrunking: false,
  idleIpReclaimIntervalMs: 10 * 60_000,
  idleIpReclaimBatchSize: 5,
  idleIpReclaimJitterFactor: 0.1,
  ipCooldownMs: 60_000,
  vswitchBlockMs: 10 * 60_000,
} as const;

/** A validated eni-config with the canonical form the ledger records in `ConfigApplied`. */
export interface LoadedEniConfig {
  config: EniConfig;
  /** snake_case, every default filled in, durations in Go spelling, keys sorted. */
  canonical: Record<string, unknown>;
  canonicalJson: string;
  /** Hex sha256 of canonicalJson: equal configs, however written, hash the same. */
  sha256: string;
  /** Keys that were accepted but have no effect (Terway-only tuning); worth a log line, not a refusal. */
  warnings: string[];
}
