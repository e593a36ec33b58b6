import { ConfigError } from '@ipledger/config';
import { describe, expect, it } from 'vitest';
import { readCoreKnobs } from './core-knobs.js';

describe('readCoreKnobs', () => {
  it('has defaults', () => {
    expect(readCoreKnobs({})).toEqual({
      allocateWaitMs: 10_000,
      poolTickMs: 30_000,
      poolCoalesceMs: 10,
      configReloadMs: 10_000,
      leakSweepMs: 600_000,
      snapshotEvery: 1_000,
    });
  });

  it('reads the environment', () => {
    const knobs = readCoreKnobs({ IPLEDGER_ALLOCATE_WAIT_MS: '2500', IPLEDGER_POOL_TICK_MS: ' 1000 ' });
    expect(knobs).toMatchObject({ allocateWaitMs: 2500, poolTickMs: 1000 });
  });

  it('counts snapshot intervals in events, 0 turning snapshots off', () => {
    expect(readCoreKnobs({ IPLEDGER_SNAPSHOT_EVERY: '0' }).snapshotEvery).toBe(0);
    expect(readCoreKnobs({ IPLEDGER_SNAPSHOT_EVERY: '250' }).snapshotEvery).toBe(250);
    expect(() => readCoreKnobs({ IPLEDGER_SNAPSHOT_EVERY: '-1' })).toThrow(
      /IPLEDGER_SNAPSHOT_EVERY: "-1" must be a whole number of events >= 0/,
    );
  });

  it('names every bad variable', () => {
    const read = () => readCoreKnobs({ IPLEDGER_ALLOCATE_WAIT_MS: 'soon', IPLEDGER_POOL_TICK_MS: '5' });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/IPLEDGER_ALLOCATE_WAIT_MS[\s\S]*IPLEDGER_POOL_TICK_MS/);
  });
});
