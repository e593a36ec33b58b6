import { DomainError, type InstanceLimits, nodeStream } from '@ipledger/domain';
import {
  type AppendResult,
  ConcurrencyError,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type SnapshotStore,
  type StreamSnapshot,
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

  streamVersion(streamId: string) {
    return Promise.resolve(this.streams.get(streamId)?.length ?? 0);
  }
}

// A fake of our own SnapshotStore port that can be told to fail, and that holds saves until released.
class MemorySnapshotStore implements SnapshotStore {
  readonly rows = new Map<string, StreamSnapshot>();
  saves: number[] = [];
  failLoad = false;
  failSave = false;
  private held: (() => void)[] = [];
  hold = false;

  load(streamId: string) {
    return this.failLoad
      ? Promise.reject(new Error('no snapshots today'))
      : Promise.resolve(this.rows.get(streamId) ?? null);
  }

  async save(snapshot: Omit<StreamSnapshot, 'savedAt'>) {
    this.saves.push(snapshot.version);
    if (this.hold) {
      await new Promise<void>((resolve) => this.held.push(resolve));
    }
    if (this.failSave) {
      throw new Error('disk full');
    }
    this.rows.set(snapshot.streamId, { ...snapshot, savedAt: new Date() });
  }

  release() {
    this.held.splice(0).forEach((resolve) => resolve());
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

function snapshotCache(store: MemoryEventStore, snapshots: MemorySnapshotStore, warnings: string[]): NodeStateCache {
  return new NodeStateCache(store as unknown as EventStore, {
    actor: 'allocator/test',
    snapshots: { store: snapshots, every: 2, log: { warn: (m) => warnings.push(m) } },
  });
}

const endCooldowns = (seconds: number) => ({
  type: 'EndCooldowns' as const,
  now: `2026-01-01T00:00:${String(seconds).padStart(2, '0')}.000Z`,
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

  describe('snapshots', () => {
    it('a failing save is logged and the commands go on; the next command tries again', async () => {
      const store = new MemoryEventStore();
      const snapshots = new MemorySnapshotStore();
      snapshots.failSave = true;
      const warnings: string[] = [];
      const cache = snapshotCache(store, snapshots, warnings);
      await cache.execute('n1', () => register());
      await cache.execute('n1', () => register('ecs.g7.xlarge'));
      await cache.snapshotsSettled();
      expect(snapshots.saves).toEqual([2]);
      expect(warnings).toEqual([expect.stringMatching(/node n1: saving the snapshot at version 2 failed: disk full/)]);

      snapshots.failSave = false;
      const third = await cache.execute('n1', () => register('ecs.g7.2xlarge'));
      await cache.snapshotsSettled();
      expect(third.version).toBe(3);
      expect(snapshots.rows.get(nodeStream('n1'))?.version).toBe(3);
    });

    it('saves one snapshot at a time per node, off the command’s path', async () => {
      const store = new MemoryEventStore();
      const snapshots = new MemorySnapshotStore();
      snapshots.hold = true;
      const cache = snapshotCache(store, snapshots, []);
      await cache.execute('n1', () => register());
      await cache.execute('n1', () => register('ecs.g7.xlarge'));
      await cache.execute('n1', () => register('ecs.g7.2xlarge'));
      await cache.execute('n1', () => register('ecs.g7.4xlarge'));
      await new Promise((resolve) => setImmediate(resolve));
      // The save started at version 2 is still held; versions 3 and 4 started none.
      expect(snapshots.saves).toEqual([2]);
      snapshots.release();
      await cache.snapshotsSettled();
      await cache.execute('n1', () => register('ecs.g7.large'));
      await new Promise((resolve) => setImmediate(resolve));
      snapshots.release();
      await cache.snapshotsSettled();
      expect(snapshots.saves).toEqual([2, 5]);
    });

    it('a snapshot store that fails to load costs one warning and a full fold', async () => {
      const store = new MemoryEventStore();
      const snapshots = new MemorySnapshotStore();
      await cacheOn(store).execute('n1', () => register());
      snapshots.failLoad = true;
      const warnings: string[] = [];
      const loaded = await snapshotCache(store, snapshots, warnings).execute('n1', () => endCooldowns(1));
      expect(loaded.version).toBe(1);
      expect(loaded.state.info?.instanceType).toBe('ecs.g7.large');
      expect(warnings).toEqual([expect.stringMatching(/node n1: snapshot not used.*no snapshots today/)]);
    });
  });
});
