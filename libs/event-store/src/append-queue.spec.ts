import { describe, expect, it } from 'vitest';
import { AppendQueue, type GroupCommitOptions, type QueuedAppend } from './append-queue.js';
import type { AppendMember } from './append.statement.js';

const meta = { actor: 'test/append-queue' };
const member = (...streams: string[]): AppendMember => ({
  appends: streams.map((streamId) => ({
    streamId,
    expectedVersion: 0,
    events: [{ id: streamId, type: 'T', data: {} }],
  })),
  metadata: meta,
});

/** A stand-in for the store's transaction: records each batch and holds it open until told. */
function harness(options: GroupCommitOptions = {}) {
  const batches: string[][][] = [];
  const open: (() => void)[] = [];
  const queue = new AppendQueue(async (batch: QueuedAppend[]) => {
    batches.push(batch.map((m) => [...m.streams]));
    await new Promise<void>((resolve) => open.push(resolve));
    batch.forEach((m) => m.resolve(m.appends.map((a) => ({ streamId: a.streamId, version: 1, events: [] }))));
  }, options);
  const ticks = async (n = 5) => {
    for (let i = 0; i < n; i++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  /** Lets the oldest open transaction commit. */
  const commit = async () => {
    open.shift()?.();
    await ticks();
  };
  return { queue, batches, commit, ticks, openCount: () => open.length };
}

describe('AppendQueue', () => {
  it('puts appends made together into one transaction', async () => {
    const { queue, batches, commit, ticks } = harness();
    const done = [queue.submit(member('a')), queue.submit(member('b')), queue.submit(member('c'))];
    await ticks();
    expect(batches).toEqual([[['a'], ['b'], ['c']]]);
    await commit();
    await expect(Promise.all(done)).resolves.toHaveLength(3);
  });

  it('queues what arrives while a transaction is in flight and sends it together next', async () => {
    const { queue, batches, commit, ticks } = harness({ overlapAfterMs: 60_000 });
    const first = queue.submit(member('a'));
    await ticks();
    const later = [queue.submit(member('b')), queue.submit(member('c', 'd'))];
    await ticks();
    expect(batches).toEqual([[['a']]]);
    await commit();
    await first;
    expect(batches).toEqual([[['a']], [['b'], ['c', 'd']]]);
    await commit();
    await Promise.all(later);
  });

  it('never has one stream in two transactions, and keeps the order of appends to it', async () => {
    const { queue, batches, commit, ticks } = harness({ overlapAfterMs: 0 });
    const all = [
      queue.submit(member('a')),
      queue.submit(member('a', 'b')), // waits for the first: it names a
      queue.submit(member('b')), // must not overtake the one before, which also names b
      queue.submit(member('c')),
    ];
    await ticks();
    expect(batches).toEqual([[['a'], ['c']]]);
    await commit();
    expect(batches.at(-1)).toEqual([['a', 'b']]);
    await commit();
    expect(batches.at(-1)).toEqual([['b']]);
    await commit();
    await Promise.all(all);
  });

  it('lets a second transaction overlap a slow one only after overlapAfterMs', async () => {
    const patient = harness({ overlapAfterMs: 60_000 });
    void patient.queue.submit(member('held'));
    await patient.ticks();
    void patient.queue.submit(member('other'));
    await patient.ticks(20);
    expect(patient.openCount()).toBe(1);

    const eager = harness({ overlapAfterMs: 0 });
    void eager.queue.submit(member('held'));
    await eager.ticks();
    const other = eager.queue.submit(member('other'));
    await eager.ticks();
    expect(eager.batches).toEqual([[['held']], [['other']]]);
    await eager.commit(); // the held one
    await eager.commit();
    await other;
  });

  it('caps a transaction at maxBatchStreams, but sends a larger single append alone', async () => {
    const { queue, batches, commit, ticks } = harness({ maxBatchStreams: 3, maxInFlight: 1 });
    const all = [
      queue.submit(member('a', 'b', 'c', 'd')),
      queue.submit(member('e')),
      queue.submit(member('f', 'g')),
      queue.submit(member('h', 'i')),
    ];
    await ticks();
    expect(batches).toEqual([[['a', 'b', 'c', 'd']]]);
    await commit();
    expect(batches.at(-1)).toEqual([['e'], ['f', 'g']]);
    await commit();
    expect(batches.at(-1)).toEqual([['h', 'i']]);
    await commit();
    await Promise.all(all);
  });

  it('settles once nothing waits and nothing is in flight', async () => {
    const { queue, commit, ticks } = harness({ maxInFlight: 1 });
    void queue.submit(member('a'));
    void queue.submit(member('a'));
    let settled = false;
    void queue.settled().then(() => (settled = true));
    await ticks();
    expect(settled).toBe(false);
    await commit();
    expect(settled).toBe(false);
    await commit();
    expect(settled).toBe(true);
  });
});
