import { type CloudApiName } from './cloud-api.js';

/**
 * Where a cloud call takes its token before it goes out (DESIGN §6: one bucket per API, sized in calls per
 * minute). The in-process CloudRateLimiter serves one process; the allocator plugs in one whose buckets live
 * in Postgres, so that all its replicas together stay within the limit.
 */
export interface CloudRateLimiterPort {
  /**
   * Resolves, with the milliseconds waited, once the caller holds a token for `api`. Rejects when no token
   * can be had (the shared buckets are unreachable): the call must then not be made.
   */
  acquire(api: CloudApiName): Promise<number>;
  /** Calls per minute allowed for `api` right now; ≤ 0 means no limit. */
  limit(api: CloudApiName): number;
}

/** CloudError code of a call that failed because the limiter could not hand out a token. */
export const RATE_LIMITER_UNAVAILABLE = 'RateLimiterUnavailable';
