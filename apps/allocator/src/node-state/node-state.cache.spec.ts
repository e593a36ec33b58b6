import { DomainError, type InstanceLimits, nodeStream } from '@ipledger/domain';
import {
  type AppendResult,
  ConcurrencyError,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '@ipledger/event-store';
import { describe, expect, it } from 'vitest';
import { NodeStateCache } from './node-state.cache.js';

// A fake of our own EventStore port: streams in memory, expected versions enforced like the real one.
class MemoryEventStore implements Pick<EventStore, 'append' | 'readStream'> {
  readonly streams = new Map<string, RecordedEvent[]>();
  appends = 0;

  append(streamId: string, expected: number | 'any', events: NewEvent[], metadata: EventMetadata) {
    const stream = this.streams.get(streamId) ?? [];
    if (expected !== 'any' && expected !== stream.length) {
      return Promise.reject(new ConcurrencyError(streamId, expected, stream.length));
    }
    this.appends += 1;
    const recorded = events.map((e, i) => ({
      ...{ position: String(this.appends * 100 + i), id: e.id, streamId, streamVersion: stream.length + i + 1 },
      ...{ type: e.type, data: e.data, metadata, recordedAt: new Date() },
    }));
    stream.push(...recorded);
    this.streams.set(streamId, stream);
    return Promise.resolve<AppendResult>({ streamId, version: stream.length, events: recorded });
  }

  readStream(streamId: string, fromVersion = 1) {
    return Promise.resolve((this.streams.get(streamId) ?? []).filter((e) => e.streamVersion >= fromVersion));
  }
}

const LIMITS: InstanceLimits = {
  adapters: 3,
  ipv4PerAdapter: 6,
  ipv6PerAdapter: 6,
  totalAdapters: 3,
  memberAdapters: 0,
  trunkSupported: false,
};
const NOW = '2026-01-01T00:00:00.000Z';
const register = (instanceType = 'ecs.g7.large') => ({
  type: 'RegisterNode' as const,
  ...{ node: 'n1', instanceId: 'i-1', instanceType, zone: 'z1', mode: 'eniip' as const, limits: LIMITS, now: NOW },
});

function cacheOn(store: MemoryEventStore, maxAttempts?: number, retryBudgetMs?: number): NodeStateCache {
  return new NodeStateCache(store as unknown as EventStore, { actor: 'allocator/test', maxAttempts, retryBudgetMs });
}

describe('NodeStateCache', () => {
  it('decides, appends with the version it saw and folds the events in', async () => {
    const store = new MemoryEventStore();
    const cache = cacheOn(store);
    const changes: string[] = [];
    cache.onChange((c) => changes.push(`${c.node}@${c.version}:${c.events.map((e) => e.type).join()}`));

    const first = await cache.execute('n1', () => register());
    expect(first.version).toBe(1);
    expect(first.state.info?.maxPods).toBe(12);
    const again = await cache.execute('n1', () => register());
    expect(again.events).toEqual([]);
    expect(store.streams.get(nodeStream('n1'))).toHaveLength(1);
    expect(store.streams.get(nodeStream('n1'))?.[0]?.metadata.actor).toBe('allocator/test');
    expect(changes).toEqual(['n1@1:NodeRegistered']);
  });

  it('catches up and decides again when another replica wrote first', async () => {
    const store = new MemoryEventStore();
    const mine = cacheOn(store);
    const theirs = cacheOn(store);
    await mine.execute('n1', () => register());
    await theirs.execute('n1', () => register('ecs.g7.xlarge'));

    // `mine` still believes version 1 with ecs.g7.large; its append conflicts, it reads version 2 and finds
    // the facts already recorded, so nothing more is appended.
    const result = await mine.execute('n1', () => register('ecs.g7.xlarge'));
    expect(result.version).toBe(2);
    expect(result.events).toEqual([]);
    expect(result.state.info?.instanceType).toBe('ecs.g7.xlarge');
  });

  it('looks at the stream again before passing on a refusal from a stale state', async () => {
    const store = new MemoryEventStore();
    const stale = cacheOn(store);
    await stale.get('n1');
    await cacheOn(store).execute('n1', () => register());

    const release = { type: 'ReleaseIp' as const, podUid: 'u', containerId: 'c', reason: 'x', cooldownSeconds: 1 };
    const result = await stale.execute('n1', () => ({ ...release, now: NOW }));
    expect(result.version).toBe(1);
    await expect(cacheOn(store).execute('n2', () => ({ ...release, now: NOW }))).rejects.toMatchObject({
      code: 'failed-precondition',
    });
  });

  it('gives up with unavailable after the bounded number of conflicts', async () => {
    const store = new MemoryEventStore();
    const cache = cacheOn(store, 3);
    await cache.get('n1');
    // Another writer that always gets there first.
    let sneaky = 0;
    store.append = (streamId) => {
      sneaky += 1;
      return Promise.reject(new ConcurrencyError(streamId, 0, sneaky));
    };
    const error = await cache.execute('n1', () => register()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'unavailable', details: { reason: 'write-contention' } });
    expect(sneaky).toBe(3);
  });

  it('keeps retrying a lost race for its time budget, not a handful of attempts, then gives up', async () => {
    const store = new MemoryEventStore();
    // 12 lost rounds pause at most 12 × 50 ms: well inside the budget.
    const cache = cacheOn(store, undefined, 1_000);
    await cache.get('n1');
    const append = store.append.bind(store);
    // The other writer wins the first 12 rounds, then this one gets through.
    let lost = 0;
    store.append = (streamId, expected, events, metadata) => {
      if (lost < 12) {
        lost += 1;
        return Promise.reject(new ConcurrencyError(streamId, 0, lost));
      }
      return append(streamId, expected, events, metadata);
    };
    await expect(cache.execute('n1', () => register())).resolves.toMatchObject({ version: 1 });
    expect(lost).toBe(12);

    // Always beaten: it stops once the budget is spent, saying how long it tried.
    const beaten = new MemoryEventStore();
    const impatient = cacheOn(beaten, undefined, 300);
    await impatient.get('n1');
    beaten.append = (streamId) => Promise.reject(new ConcurrencyError(streamId, 0, 1));
    const started = Date.now();
    const error = await impatient.execute('n1', () => register()).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(error).toMatchObject({ code: 'unavailable', details: { reason: 'write-contention' } });
    expect((error as Error).message).toMatch(/gave up after \d+ conflicting writes in \d+ ms/);
  });
});
