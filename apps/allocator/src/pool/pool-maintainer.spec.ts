// The pool maintainer's idle-IP reclaim timers, with fake timers and fakes of the cache, cycle and lock: one
// timer per registered node while reclaim is on, none for nodes gone, restarted by a config change, none
// left after shutdown. What a step gives back is the domain's (planIdleReclaim, pool-planner.spec.ts).
import { type NodeEvent, type PoolConfig, initialNodeState, poolConfig } from '@ipledger/domain';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NodeChange, NodeStateCache } from '../node-state/node-state.cache.js';
import type { PoolCycle, PoolCycleRun } from './pool-cycle.js';
import type { PoolLock } from './pool-lock.js';
import { PoolMaintainer } from './pool-maintainer.js';
import { PoolWaiters } from './pool-waiters.js';

const reclaimEvery = (intervalSeconds: number | null): PoolConfig =>
  poolConfig({
    idleIpReclaim: {
      afterSeconds: intervalSeconds === null ? null : 60,
      intervalSeconds: intervalSeconds ?? 600,
      batchSize: 2,
      jitterFactor: 0,
    },
  });

interface World {
  maintainer: PoolMaintainer;
  runs: { node: string; reclaim: boolean }[];
  registered: string[];
  config: PoolConfig;
  emit: (change: NodeChange) => void;
  reclaimsOf: (node: string) => number;
}

function world(config: PoolConfig, registered: string[]): World {
  let listener: ((change: NodeChange) => void) | null = null;
  const cache = {
    onChange: (l: (change: NodeChange) => void) => {
      listener = l;
      return () => (listener = null);
    },
  } as unknown as NodeStateCache;
  const runs: World['runs'] = [];
  const cycle = {
    run: (node: string, run: PoolCycleRun = {}) => {
      runs.push({ node, reclaim: run.reclaim ?? false });
      return Promise.resolve();
    },
  } as unknown as PoolCycle;
  const lock = {
    tryAcquire: () => Promise.resolve(true),
    release: () => Promise.resolve(),
    close: () => Promise.resolve(),
  } as unknown as PoolLock;
  const w: World = {
    runs,
    registered,
    config,
    emit: (change) => listener?.(change),
    reclaimsOf: (node) => runs.filter((r) => r.node === node && r.reclaim).length,
    maintainer: undefined as unknown as PoolMaintainer,
  };
  w.maintainer = new PoolMaintainer(
    cache,
    cycle,
    lock,
    new PoolWaiters(),
    () => w.config,
    () => Promise.resolve([...w.registered]),
    { coalesceMs: 1, tickMs: 3_600_000 },
  );
  return w;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('PoolMaintainer: idle-IP reclaim timers', () => {
  it('takes no reclaim step while idle_ip_reclaim_after is unset', async () => {
    const w = world(reclaimEvery(null), ['a', 'b']);
    await w.maintainer.start();
    await vi.advanceTimersByTimeAsync(2 * 3_600_000);
    // Cycles ran (the first one and the periodic ticks'), none of them a reclaim step.
    expect(w.runs.filter((r) => r.node === 'a').length).toBeGreaterThanOrEqual(2);
    expect(w.runs.filter((r) => r.reclaim)).toEqual([]);
    await w.maintainer.stop();
  });

  it('asks every registered node for one reclaim step per interval', async () => {
    const w = world(reclaimEvery(1), ['a', 'b']);
    await w.maintainer.start();
    await vi.advanceTimersByTimeAsync(990);
    expect(w.reclaimsOf('a')).toBe(0);
    await vi.advanceTimersByTimeAsync(20);
    expect([w.reclaimsOf('a'), w.reclaimsOf('b')]).toEqual([1, 1]);
    await vi.advanceTimersByTimeAsync(4_000);
    expect([w.reclaimsOf('a'), w.reclaimsOf('b')]).toEqual([5, 5]);
    await w.maintainer.stop();
  });

  it('arms a timer for a node that registers, and drops the timer of a node no longer registered', async () => {
    const w = world(reclaimEvery(1), ['a', 'b']);
    await w.maintainer.start();
    w.registered.splice(0, w.registered.length, 'a', 'c');
    const registration = { type: 'NodeRegistered' } as NodeEvent;
    w.emit({ node: 'c', events: [registration], state: initialNodeState() } as unknown as NodeChange);
    w.maintainer.triggerRegistered();
    await vi.advanceTimersByTimeAsync(3_010);
    expect([w.reclaimsOf('a'), w.reclaimsOf('b'), w.reclaimsOf('c')]).toEqual([3, 0, 3]);
    await w.maintainer.stop();
  });

  it('follows a config change at once: a new interval, or reclaim switched off', async () => {
    const w = world(reclaimEvery(10), ['a']);
    await w.maintainer.start();
    await vi.advanceTimersByTimeAsync(5_000);
    w.config = reclaimEvery(1);
    w.maintainer.configChanged();
    await vi.advanceTimersByTimeAsync(3_010);
    expect(w.reclaimsOf('a')).toBe(3);
    w.config = reclaimEvery(null);
    w.maintainer.configChanged();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(w.reclaimsOf('a')).toBe(3);
    await w.maintainer.stop();
  });

  it('leaves no timer behind on shutdown', async () => {
    const w = world(reclaimEvery(1), ['a', 'b', 'c']);
    await w.maintainer.start();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(vi.getTimerCount()).toBeGreaterThanOrEqual(3);
    await w.maintainer.stop();
    expect(vi.getTimerCount()).toBe(0);
    const before = w.runs.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(w.runs.length).toBe(before);
  });
});
