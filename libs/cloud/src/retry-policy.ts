export interface RetryPolicy {
  /** Attempts per logical call, the first included. */
  maxAttempts: number;
  /** Delay before the second attempt (before jitter). */
  baseDelayMs: number;
  /** Cap of a single delay. */
  maxDelayMs: number;
  /** Growth per attempt. */
  factor: number;
}

/**
 * Ten attempts whose delays add up to 61 s to 122 s: even with the shortest jitter the last retry falls after
 * a full ECS throttling window (a call throttled in minute T succeeds in minute T+1), and a broken cloud still
 * surfaces within about two minutes.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
};

/**
 * Exponential backoff with "equal jitter": half the exponential delay is kept, the other half is random, so
 * that many callers throttled together spread out while each still backs off. A server hint (`retryAfterMs`)
 * is honoured as a lower bound, within the cap.
 */
export function backoffDelay(
  policy: RetryPolicy,
  failedAttempt: number,
  random: number,
  retryAfterMs?: number,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** (failedAttempt - 1));
  const jittered = exponential / 2 + (exponential / 2) * Math.min(Math.max(random, 0), 1);
  const floor = retryAfterMs !== undefined && retryAfterMs > 0 ? Math.min(retryAfterMs, policy.maxDelayMs) : 0;
  return Math.round(Math.max(jittered, floor));
}
