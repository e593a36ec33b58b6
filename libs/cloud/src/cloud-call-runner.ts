import { type CloudApiName } from './cloud-api.js';
import { type CloudClock } from './cloud-clock.js';
import { retryAfterOf, toCloudError } from './cloud-error.mapper.js';
import { type CloudObserver } from './cloud-observer.js';
import { CloudError } from './cloud.port.js';
import { type CloudRateLimiterPort, RATE_LIMITER_UNAVAILABLE } from './rate-limiter.port.js';
import { backoffDelay, type RetryPolicy } from './retry-policy.js';

export interface CloudCallRunnerDeps {
  limiter: CloudRateLimiterPort;
  policy: RetryPolicy;
  clock: CloudClock;
  random: () => number;
  observer: CloudObserver;
  redact: (text: string) => string;
}

/**
 * Runs one logical cloud call: take a token, try, and on a retryable failure (throttling, conflict, internal
 * or network error) back off and try again, up to the policy's attempts. The attempt function receives the
 * attempt number; a mutating call keeps its ClientToken outside, so every attempt sends the same one.
 */
export class CloudCallRunner {
  constructor(private readonly deps: CloudCallRunnerDeps) {}

  async run<T>(api: CloudApiName, attemptFn: (attempt: number) => Promise<T>): Promise<T> {
    const { limiter, policy, clock, random, redact } = this.deps;
    for (let attempt = 1; ; attempt += 1) {
      let waitedMs: number;
      try {
        waitedMs = await limiter.acquire(api);
      } catch (thrown) {
        // No token, no call. The attempt fails like an unreachable cloud would: retried with backoff, then
        // thrown as an `internal` CloudError, which the allocator reports as UNAVAILABLE.
        const error = limiterFailure(api, thrown, redact);
        if (attempt >= policy.maxAttempts) {
          throw error;
        }
        await clock.sleep(backoffDelay(policy, attempt, random()));
        continue;
      }
      this.notify(() => this.deps.observer.onRateLimitWait?.({ api, waitedMs }));
      const startedAt = clock.now();
      try {
        const result = await attemptFn(attempt);
        this.notify(() =>
          this.deps.observer.onCall?.({ api, code: 'OK', durationMs: clock.now() - startedAt, attempt }),
        );
        return result;
      } catch (thrown) {
        const error = toCloudError(api, thrown, redact);
        const durationMs = clock.now() - startedAt;
        this.notify(() => this.deps.observer.onCall?.({ api, code: error.code, durationMs, attempt }));
        if (!error.retryable || attempt >= policy.maxAttempts) {
          throw error;
        }
        await clock.sleep(backoffDelay(policy, attempt, random(), retryAfterOf(thrown)));
      }
    }
  }

  private notify(hook: () => void): void {
    try {
      hook();
    } catch {
      // A broken metrics hook must not break cloud calls.
    }
  }
}

function limiterFailure(api: CloudApiName, thrown: unknown, redact: (text: string) => string): CloudError {
  const cause = thrown instanceof Error ? thrown.message : String(thrown);
  return new CloudError(api, RATE_LIMITER_UNAVAILABLE, 'internal', redact(`no rate-limit token: ${cause}`));
}
