import { describe, expect, it } from 'vitest';
import { PoolWaiters } from './pool-waiters.js';

describe('PoolWaiters', () => {
  it('counts the pods waiting per node until they leave', () => {
    const waiters = new PoolWaiters();
    const a = waiters.join('n1');
    const b = waiters.join('n1');
    waiters.join('n2');
    expect(waiters.count('n1')).toBe(2);
    expect(waiters.busyNodes().sort()).toEqual(['n1', 'n2']);
    a.leave();
    a.leave();
    b.leave();
    expect(waiters.count('n1')).toBe(0);
    expect(waiters.busyNodes()).toEqual(['n2']);
  });

  it('wakes a waiter when its node changes', async () => {
    const waiters = new PoolWaiters();
    const since = waiters.epoch('n1');
    const waiter = waiters.join('n1');
    const woken = waiter.waitForChange(since, Date.now() + 10_000);
    waiters.notify('n2');
    waiters.notify('n1');
    await expect(woken).resolves.toBe(true);
  });

  it('does not lose a change that happened before the wait began', async () => {
    const waiters = new PoolWaiters();
    const waiter = waiters.join('n1');
    const since = waiters.epoch('n1');
    waiters.notify('n1');
    await expect(waiter.waitForChange(since, Date.now() + 10_000)).resolves.toBe(true);
  });

  it('gives up at the deadline', async () => {
    const waiters = new PoolWaiters();
    const waiter = waiters.join('n1');
    await expect(waiter.waitForChange(waiters.epoch('n1'), Date.now() + 5)).resolves.toBe(false);
    await expect(waiter.waitForChange(waiters.epoch('n1'), Date.now() - 1)).resolves.toBe(false);
  });
});

describe('PoolWaiters cancellation', () => {
  it('stops waiting when the caller goes away', async () => {
    const waiters = new PoolWaiters();
    const waiter = waiters.join('n1');
    const controller = new AbortController();
    const waiting = waiter.waitForChange(waiters.epoch('n1'), Date.now() + 10_000, controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBe(false);
  });
});
