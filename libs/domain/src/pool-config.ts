// The pool settings the domain works with: plain numbers, already validated. Parsing Terway's eni-config JSON
// into this shape is libs/config's job.

export type VSwitchSelectionPolicy = 'ordered' | 'random';

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
}

/** Terway's defaults for the watermarks; ipledger's for the rest. */
export const DEFAULT_POOL_CONFIG: Readonly<PoolConfig> = {
  minPoolSize: 0,
  maxPoolSize: 5,
  ipCooldownSeconds: 60,
  vswitchBlockSeconds: 600,
  vswitchSelectionPolicy: 'ordered',
};

export const poolConfig = (overrides: Partial<PoolConfig> = {}): PoolConfig => ({
  ...DEFAULT_POOL_CONFIG,
  ...overrides,
});
