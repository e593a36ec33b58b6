// The pool settings the domain works with: plain numbers, already validated. Parsing Terway's eni-config JSON
// into this shape is libs/config's job.

export type VSwitchSelectionPolicy = 'ordered' | 'random';

/**
 * Terway's idle-IP reclaim: once a node saw no pod allocated or released for `afterSeconds`, idle addresses
 * go back to the cloud `batchSize` at a time, every `intervalSeconds` (± `jitterFactor` of it), down to
 * min_pool_size. The domain decides what a step gives back (planIdleReclaim); the allocator keeps the time.
 */
export interface IdleIpReclaimConfig {
  /** null: never (only addresses above max_pool_size are given back). */
  afterSeconds: number | null;
  intervalSeconds: number;
  batchSize: number;
  jitterFactor: number;
}

export interface PoolConfig {
  /** Idle addresses to keep ready on each node (warm pool floor). */
  minPoolSize: number;
  /** Idle addresses above this are given back to the cloud. */
  maxPoolSize: number;
  /** How long a released address rests before anyone may get it again. */
  ipCooldownSeconds: number;
  /** How long a vSwitch that reported InvalidVSwitchId.IpNotEnough is skipped. */
  vswitchBlockSeconds: number;
  vswitchSelectionPolicy: VSwitchSelectionPolicy;
  idleIpReclaim: IdleIpReclaimConfig;
}

/** Terway's defaults for the watermarks; ipledger's for the rest. */
export const DEFAULT_POOL_CONFIG: Readonly<PoolConfig> = {
  minPoolSize: 0,
  maxPoolSize: 5,
  ipCooldownSeconds: 60,
  vswitchBlockSeconds: 600,
  vswitchSelectionPolicy: 'ordered',
  idleIpReclaim: { afterSeconds: null, intervalSeconds: 600, batchSize: 5, jitterFactor: 0.1 },
};

export const poolConfig = (overrides: Partial<PoolConfig> = {}): PoolConfig => ({
  ...DEFAULT_POOL_CONFIG,
  ...overrides,
});
