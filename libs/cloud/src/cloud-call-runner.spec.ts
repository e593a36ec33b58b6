import { ClientError, ThrottlingError } from '@alicloud/openapi-core';
import { describe, expect, it } from 'vitest';
import { CloudCallRunner } from './cloud-call-runner.js';
import { type CloudApiName } from './cloud-api.js';
import { type CloudCallEvent, type RateLimitWaitEvent } from './cloud-observer.js';
import { CloudError } from './cloud.port.js';
import { CloudRateLimiter } from './rate-limiter.js';
import { type CloudRateLimiterPort, RATE_LIMITER_UNAVAILABLE } from './rate-limiter.port.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { ManualClock } from './testing/manual-clock.js';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, factor: 2 };

function setup(random = 0.5) {
  const clock = new ManualClock();
  const events: CloudCallEvent[] = [];
  const runner = new CloudCallRunner({
    limiter: new CloudRateLimiter(clock),
    policy,
    clock,
    random: () => random,
    observer: { onCall: (event) => events.push(event) },
    redact: (text) => text,
  });
  return { clock, events, runner };
}

/** An attempt function that runs `fn` asynchronously, as a cloud call would. */
function attempts<T>(fn: (attempt: number) => T): (attempt: number) => Promise<T> {
  return (attempt) => Promise.resolve().then(() => fn(attempt));
}

const throttled = () =>
  new ThrottlingError({ statusCode: 400, code: 'Throttling.User', message: 'flow control', requestId: 'r1' });

describe('backoffDelay', () => {
  it('doubles per attempt, keeps half of it fixed and jitters the other half', () => {
    expect(backoffDelay(policy, 1, 0)).toBe(50);
    expect(backoffDelay(policy, 1, 1)).toBe(100);
    expect(backoffDelay(policy, 3, 0)).toBe(200);
    expect(backoffDelay(policy, 3, 1)).toBe(400);
  });

  it('is capped, and honours a server hint within the cap', () => {
    expect(backoffDelay(policy, 10, 1)).toBe(1_000);
    expect(backoffDelay(policy, 1, 0, 700)).toBe(700);
    expect(backoffDelay(policy, 1, 0, 60_000)).toBe(1_000);
  });

  it('spreads the default retries over more than one ECS throttling window, even with the least jitter', () => {
    const { maxAttempts } = DEFAULT_RETRY_POLICY;
    const shortest = Array.from({ length: maxAttempts - 1 }, (_, i) => backoffDelay(DEFAULT_RETRY_POLICY, i + 1, 0));
    expect(shortest.reduce((a, b) => a + b, 0)).toBeGreaterThan(60_000);
  });
});

describe('CloudCallRunner', () => {
  it('retries throttling and succeeds, reporting every attempt', async () => {
    const { clock, events, runner } = setup();
    let calls = 0;
    const result = runner.run(
      'CreateNetworkInterface',
      attempts((attempt) => {
        calls += 1;
        if (attempt < 3) {
          throw throttled();
        }
        return 'eni-1';
      }),
    );
    await clock.runUntilIdle();
    expect(await result).toBe('eni-1');
    expect(calls).toBe(3);
    expect(events.map((e) => [e.code, e.attempt])).toEqual([
      ['Throttling.User', 1],
      ['Throttling.User', 2],
      ['OK', 3],
    ]);
    expect(clock.sleeps.filter((ms) => ms > 0)).toEqual([75, 150]);
  });

  it('retries conflicts, internal errors and network errors', async () => {
    const { clock, runner } = setup();
    const failures = [
      new ClientError({ statusCode: 403, code: 'Operation.Conflict', message: 'conflict' }),
      new ClientError({ statusCode: 500, code: 'InternalError', message: 'boom' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    ];
    const result = runner.run(
      'AttachNetworkInterface',
      attempts((attempt) => {
        const failure = failures[attempt - 1];
        if (failure) {
          throw failure;
        }
        return attempt;
      }),
    );
    await clock.runUntilIdle();
    expect(await result).toBe(4);
  });

  it('does not retry a bad request', async () => {
    const { clock, runner } = setup();
    let calls = 0;
    const result = runner.run(
      'DeleteNetworkInterface',
      attempts(() => {
        calls += 1;
        throw new ClientError({ statusCode: 400, code: 'InvalidOperation.InvalidEniState', message: 'InUse' });
      }),
    );
    const settled = result.catch((error: unknown) => error);
    await clock.runUntilIdle();
    const error = await settled;
    expect(error).toBeInstanceOf(CloudError);
    expect((error as CloudError).kind).toBe('invalid');
    expect(calls).toBe(1);
  });

  it('gives up after the last attempt with the last error', async () => {
    const { clock, runner } = setup();
    let calls = 0;
    const result = runner.run(
      'AssignPrivateIpAddresses',
      attempts(() => {
        calls += 1;
        throw throttled();
      }),
    );
    const settled = result.catch((error: unknown) => error);
    await clock.runUntilIdle();
    const error = (await settled) as CloudError;
    expect(calls).toBe(policy.maxAttempts);
    expect(error.kind).toBe('throttled');
    expect(error.requestId).toBe('r1');
  });

  it('keeps going when a metrics hook throws', async () => {
    const clock = new ManualClock();
    const runner = new CloudCallRunner({
      limiter: new CloudRateLimiter(clock),
      policy,
      clock,
      random: () => 0,
      observer: {
        onCall: () => {
          throw new Error('broken hook');
        },
      },
      redact: (text) => text,
    });
    await expect(
      runner.run(
        'DescribeInstanceTypes',
        attempts(() => 'ok'),
      ),
    ).resolves.toBe('ok');
  });
});

/** A limiter port that records who asked, and answers from a script. */
class ScriptedLimiter implements CloudRateLimiterPort {
  readonly asked: CloudApiName[] = [];
  constructor(private readonly answer: (n: number) => Promise<number>) {}
  acquire(api: CloudApiName): Promise<number> {
    this.asked.push(api);
    return this.answer(this.asked.length);
  }
  limit(): number {
    return 60;
  }
}

function runnerWith(limiter: CloudRateLimiterPort) {
  const clock = new ManualClock();
  const calls: CloudCallEvent[] = [];
  const waits: RateLimitWaitEvent[] = [];
  const runner = new CloudCallRunner({
    limiter,
    policy,
    clock,
    random: () => 0,
    observer: { onCall: (event) => calls.push(event), onRateLimitWait: (event) => waits.push(event) },
    redact: (text) => text.replaceAll('s3cret', '***'),
  });
  return { clock, calls, waits, runner };
}

describe('CloudCallRunner and its rate limiter port', () => {
  it('takes one token per attempt from the port it was given, and reports the wait the port measured', async () => {
    const limiter = new ScriptedLimiter((n) => Promise.resolve(n * 100));
    const { clock, waits, runner } = runnerWith(limiter);
    const result = runner.run(
      'AssignPrivateIpAddresses',
      attempts((attempt) => {
        if (attempt === 1) {
          throw throttled();
        }
        return 'assigned';
      }),
    );
    await clock.runUntilIdle();
    expect(await result).toBe('assigned');
    expect(limiter.asked).toEqual(['AssignPrivateIpAddresses', 'AssignPrivateIpAddresses']);
    expect(waits).toEqual([
      { api: 'AssignPrivateIpAddresses', waitedMs: 100 },
      { api: 'AssignPrivateIpAddresses', waitedMs: 200 },
    ]);
  });

  it('never calls the cloud without a token: a failing limiter is retried, then an internal CloudError', async () => {
    const limiter = new ScriptedLimiter(() => Promise.reject(new Error('connect ECONNREFUSED, password s3cret')));
    const { clock, calls, runner } = runnerWith(limiter);
    let cloudCalls = 0;
    const result = runner
      .run(
        'CreateNetworkInterface',
        attempts(() => {
          cloudCalls += 1;
          return 'eni-1';
        }),
      )
      .catch((error: unknown) => error);
    await clock.runUntilIdle();
    const error = (await result) as CloudError;
    expect(error).toBeInstanceOf(CloudError);
    expect(error).toMatchObject({ api: 'CreateNetworkInterface', code: RATE_LIMITER_UNAVAILABLE, kind: 'internal' });
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('s3cret');
    expect(limiter.asked).toHaveLength(policy.maxAttempts);
    expect(cloudCalls).toBe(0);
    expect(calls).toEqual([]);
    expect(clock.sleeps).toHaveLength(policy.maxAttempts - 1);
  });

  it('makes the call once the limiter recovers', async () => {
    const limiter = new ScriptedLimiter((n) => (n < 3 ? Promise.reject(new Error('db down')) : Promise.resolve(0)));
    const { clock, runner } = runnerWith(limiter);
    const result = runner.run(
      'DeleteNetworkInterface',
      attempts(() => 'deleted'),
    );
    await clock.runUntilIdle();
    expect(await result).toBe('deleted');
    expect(limiter.asked).toHaveLength(3);
  });
});
