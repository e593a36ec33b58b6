import { type CloudApiName, DEFAULT_RATE_LIMITS } from './cloud-api.js';
import { type CloudClock } from './cloud-clock.js';
import { type CloudRateLimiterPort } from './rate-limiter.port.js';
import { TokenBucket } from './token-bucket.js';

/**
 * One token bucket per cloud API, in this process's memory: a burst on one API never delays another. Right
 * for a single process and for unit tests; replicas sharing one cloud account need shared buckets.
 */
export class CloudRateLimiter implements CloudRateLimiterPort {
  private readonly buckets = new Map<CloudApiName, TokenBucket>();

  constructor(clock: CloudClock, overrides: Partial<Record<CloudApiName, number>> = {}) {
    const limits = { ...DEFAULT_RATE_LIMITS, ...overrides };
    for (const [api, perMinute] of Object.entries(limits) as [CloudApiName, number][]) {
      this.buckets.set(api, new TokenBucket(perMinute, clock));
    }
  }

  /** Resolves with the milliseconds the caller waited for its token. */
  acquire(api: CloudApiName): Promise<number> {
    const bucket = this.buckets.get(api);
    return bucket ? bucket.acquire() : Promise.resolve(0);
  }

  limit(api: CloudApiName): number {
    return this.buckets.get(api)?.perMinute ?? 0;
  }
}
