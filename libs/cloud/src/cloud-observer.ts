import { type CloudApiName } from './cloud-api.js';

export interface CloudCallEvent {
  api: CloudApiName;
  /** 'OK' or the cloud's error code (e.g. Throttling.User, InvalidVSwitchId.IpNotEnough, ECONNREFUSED). */
  code: string;
  durationMs: number;
  /** 1 for the first attempt of a logical call, 2 for its first retry, ... */
  attempt: number;
}

export interface RateLimitWaitEvent {
  api: CloudApiName;
  /** Time spent waiting for a local token bucket before the attempt (0 when a token was at hand). */
  waitedMs: number;
}

/**
 * Hooks for metrics and logs, e.g. `ipledger_cloud_calls_total{api,code}` from onCall and
 * `ipledger_cloud_throttled_total{api}` from calls whose code starts with "Throttling". Hooks must not throw;
 * if one does, the error is ignored.
 */
export interface CloudObserver {
  onCall?(event: CloudCallEvent): void;
  onRateLimitWait?(event: RateLimitWaitEvent): void;
}
