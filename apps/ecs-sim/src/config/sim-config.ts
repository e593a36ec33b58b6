import { type ApiName } from '../api/api-names.js';

/** What can be changed while ecs-sim runs (admin `POST /admin/config`, or `admin.setConfig`). */
export interface SimRuntimeConfig {
  /** Added to every call before it is processed. */
  latencyMs: number;
  /** Per-API latency, overriding latencyMs. */
  latencyByApi: Partial<Record<ApiName, number>>;
  /** Attaching → InUse. */
  attachDelayMs: number;
  /** Detaching → Available. */
  detachDelayMs: number;
  /** Length of a throttling window: 60 000 ms on ECS, shorter in tests. */
  throttleWindowMs: number;
  /** Calls per API per window before Throttling.User; 0 or less = unlimited. */
  throttleLimits: Partial<Record<ApiName, number>>;
}

/**
 * Per-minute limits matching the client-side defaults Terway uses against ECS (and DESIGN §6). ECS's real
 * per-account quotas are shown in Quota Center and vary; these are a plausible stand-in, not published figures.
 */
export const DEFAULT_THROTTLE_LIMITS: Record<ApiName, number> = {
  CreateNetworkInterface: 500,
  AttachNetworkInterface: 500,
  DetachNetworkInterface: 400,
  DeleteNetworkInterface: 500,
  DescribeNetworkInterfaces: 800,
  AssignPrivateIpAddresses: 400,
  UnassignPrivateIpAddresses: 400,
  DescribeInstanceTypes: 400,
  DescribeVSwitches: 300,
};

export const DEFAULT_RUNTIME_CONFIG: SimRuntimeConfig = {
  latencyMs: 0,
  latencyByApi: {},
  attachDelayMs: 50,
  detachDelayMs: 50,
  throttleWindowMs: 60_000,
  throttleLimits: DEFAULT_THROTTLE_LIMITS,
};
