import { describe, expect, it } from 'vitest';
import { CloudRateLimiter } from './rate-limiter.js';
import { ManualClock } from './testing/manual-clock.js';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('lets a full minute of calls through at once, then one per refill interval', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(60, clock);
    const burst = await Promise.all(Array.from({ length: 60 }, () => bucket.acquire()));
    expect(burst.every((waited) => waited === 0)).toBe(true);

    let granted = false;
    const next = bucket.acquire().then((waited) => ((granted = true), waited));
    await clock.advance(999);
    expect(granted).toBe(false);
    await clock.advance(1);
    expect(await next).toBe(1000);
  });

  it('serves waiting callers in the order they asked', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(6, clock);
    await Promise.all(Array.from({ length: 6 }, () => bucket.acquire()));
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => bucket.acquire().then(() => order.push(n)));
    await clock.runUntilIdle();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    expect(clock.now()).toBe(30_000);
  });

  it('never holds more than one minute of tokens', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(10, clock);
    await clock.advance(10 * 60_000);
    expect(bucket.available()).toBe(10);
  });

  it('does not limit when the rate is 0', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(0, clock);
    const waits = await Promise.all(Array.from({ length: 1000 }, () => bucket.acquire()));
    expect(Math.max(...waits)).toBe(0);
  });
});

describe('CloudRateLimiter', () => {
  it('keeps one bucket per API, so one busy API does not delay another', async () => {
    const clock = new ManualClock();
    const limiter = new CloudRateLimiter(clock, { CreateNetworkInterface: 1, DescribeNetworkInterfaces: 1 });
    await limiter.acquire('CreateNetworkInterface');
    let createGranted = false;
    void limiter.acquire('CreateNetworkInterface').then(() => (createGranted = true));
    expect(await limiter.acquire('DescribeNetworkInterfaces')).toBe(0);
    await clock.advance(1);
    expect(createGranted).toBe(false);
  });

  it('uses the DESIGN defaults unless overridden', () => {
    const limiter = new CloudRateLimiter(new ManualClock(), { AssignPrivateIpAddresses: 1000 });
    expect(limiter.limit('CreateNetworkInterface')).toBe(500);
    expect(limiter.limit('DescribeNetworkInterfaces')).toBe(800);
    expect(limiter.limit('AssignPrivateIpAddresses')).toBe(1000);
  });
});
