import { randomUUID } from 'node:crypto';
import { DomainError } from '@ipledger/domain';
import { type TestDatabase, createTestDatabase } from '@ipledger/testing';
import type { DataSource, EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPEND_SQL, BEGIN_APPEND_BATCH_SQL, appendParameters } from './append.statement.js';
import { createDataSource } from './data-source.js';
import { ConcurrencyError, type NewEvent, type Projection, type RecordedEvent } from './event-store.port.js';
import { PostgresEventStore } from './postgres-event-store.js';

// Group commit: appends made together share transactions, yet each one succeeds or fails on its own.

const meta = { actor: 'test/group-commit' };
const event = (type = 'ThingHappened', data: unknown = { n: 1 }): NewEvent => ({ id: randomUUID(), type, data });
const stream = () => `gc-${randomUUID()}`;

/** Counts events per stream; refuses `Poison`. Has a batch form (one statement per batch) to exercise it. */
class CountingProjection implements Projection {
  readonly name = 'counts';
  readonly tables = ['gc_counts'];
  batches = 0;
  async apply(em: EntityManager, e: RecordedEvent): Promise<void> {
    await this.applyBatch(em, [e]);
  }
  async applyBatch(em: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
    this.batches += events.length > 1 ? 1 : 0;
    if (events.some((e) => e.type === 'Poison')) {
      throw new Error('projection refused the event');
    }
    // Per stream, the sum and the last version, as one event at a time would leave them.
    const perStream = new Map<string, { n: number; last: number }>();
    for (const e of events) {
      const seen = perStream.get(e.streamId) ?? { n: 0, last: 0 };
      perStream.set(e.streamId, { n: seen.n + 1, last: e.streamVersion });
    }
    const rows = [...perStream].map(([stream_id, { n, last }]) => ({ stream_id, n, last }));
    await em.query(
      `INSERT INTO gc_counts (stream_id, events, last_version)
       SELECT stream_id, n, last FROM jsonb_to_recordset($1::jsonb) AS r(stream_id text, n int, last int)
       ON CONFLICT (stream_id) DO UPDATE SET events = gc_counts.events + excluded.events,
         last_version = excluded.last_version`,
      [JSON.stringify(rows)],
    );
  }
}

let db: TestDatabase;
let ds: DataSource;
let store: PostgresEventStore;
const projection = new CountingProjection();

beforeAll(async () => {
  db = await createTestDatabase('group-commit');
  ds = createDataSource({ url: db.url, poolSize: 10 });
  await ds.initialize();
  await ds.query(`CREATE TABLE gc_counts (stream_id text PRIMARY KEY, events int NOT NULL, last_version int)`);
  store = new PostgresEventStore(ds, [projection]);
});

afterAll(async () => {
  await store?.settled();
  await ds?.destroy();
  await db?.drop();
});

/** The distinct transactions that wrote the streams' events. */
const transactionsOf = async (streams: string[]) => {
  const rows = await ds.query<{ tx_id: string }[]>(
    `SELECT DISTINCT tx_id::text FROM events WHERE stream_id = ANY($1::text[])`,
    [streams],
  );
  return rows.map((r) => r.tx_id);
};

const countsOf = async (streamId: string) => {
  const rows = await ds.query<{ events: number; last_version: number }[]>(
    `SELECT events, last_version FROM gc_counts WHERE stream_id = $1`,
    [streamId],
  );
  return rows[0] ?? null;
};

describe('group commit', () => {
  it('puts many concurrent appends to distinct streams into fewer transactions, all of them recorded', async () => {
    const streams = Array.from({ length: 64 }, stream);
    const batchesBefore = projection.batches;
    const results = await Promise.all(streams.map((s) => store.append(s, 0, [event(), event()], meta)));

    expect(results.map((r) => r.version)).toEqual(streams.map(() => 2));
    const transactions = await transactionsOf(streams);
    expect(transactions.length).toBeLessThan(streams.length);
    expect(projection.batches).toBeGreaterThan(batchesBefore);
    for (const s of streams) {
      expect((await store.readStream(s)).map((e) => e.streamVersion)).toEqual([1, 2]);
      expect(await countsOf(s)).toEqual({ events: 2, last_version: 2 });
    }
  });

  it('commits the others of a batch and fails only the append whose version is stale', async () => {
    const streams = Array.from({ length: 12 }, stream);
    await Promise.all(streams.map((s) => store.append(s, 0, [event()], meta)));
    const stale = streams[5];
    const outcomes = await Promise.allSettled(
      streams.map((s) => store.append(s, s === stale ? 0 : 1, [event('Second')], meta)),
    );

    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [[streams[i], o.reason]] : []));
    expect(failed).toHaveLength(1);
    expect(failed[0][0]).toBe(stale);
    expect(failed[0][1]).toBeInstanceOf(ConcurrencyError);
    expect(failed[0][1]).toMatchObject({ streamId: stale, expected: 0, actual: 1 });
    const winners = streams.filter((s) => s !== stale);
    // The winners shared one transaction: the loser did not make them run again one by one.
    const secondWrites = await ds.query<{ tx_id: string }[]>(
      `SELECT DISTINCT tx_id::text FROM events WHERE stream_id = ANY($1::text[]) AND stream_version = 2`,
      [winners],
    );
    expect(secondWrites).toHaveLength(1);
    expect(await store.streamVersion(stale)).toBe(1);
    expect(await countsOf(stale)).toEqual({ events: 1, last_version: 1 });
    for (const s of winners) {
      expect(await countsOf(s)).toEqual({ events: 2, last_version: 2 });
    }
  });

  it('isolates a member whose projection fails: only that append fails, the others commit', async () => {
    const streams = Array.from({ length: 10 }, stream);
    const poisoned = streams[3];
    const outcomes = await Promise.allSettled(
      streams.map((s) => store.append(s, 0, [event(), ...(s === poisoned ? [event('Poison')] : [])], meta)),
    );

    expect(outcomes.map((o) => o.status)).toEqual(streams.map((s) => (s === poisoned ? 'rejected' : 'fulfilled')));
    const rejected = outcomes[3] as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(Error);
    expect((rejected.reason as Error).message).toContain('projection refused');
    expect(await store.streamVersion(poisoned)).toBe(0);
    expect(await store.readStream(poisoned)).toEqual([]);
    expect(await countsOf(poisoned)).toBeNull();
    for (const s of streams.filter((x) => x !== poisoned)) {
      expect(await store.streamVersion(s)).toBe(1);
      expect(await countsOf(s)).toEqual({ events: 1, last_version: 1 });
    }
  });

  it('isolates a duplicate event id and a multi-stream append that only partly wins', async () => {
    const reused = event();
    await store.append(stream(), 0, [reused], meta);
    const [a, b, c, d] = Array.from({ length: 4 }, stream);
    await store.append(b, 0, [event()], meta);
    const outcomes = await Promise.allSettled([
      store.append(a, 0, [event()], meta),
      store.append(c, 0, [reused], meta),
      // Stream a2 would win, b is stale: all of this append must stay out, a2 included.
      store.appendMany(
        [
          { streamId: `${a}-2`, expectedVersion: 0, events: [event()] },
          { streamId: b, expectedVersion: 0, events: [event()] },
        ],
        meta,
      ),
      store.append(d, 0, [event()], meta),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    const [, duplicate, partial] = outcomes as PromiseRejectedResult[];
    expect(duplicate.reason).toBeInstanceOf(DomainError);
    expect(duplicate.reason).toMatchObject({ code: 'conflict', details: { reason: 'duplicate-event-id' } });
    expect(partial.reason).toBeInstanceOf(ConcurrencyError);
    expect(partial.reason).toMatchObject({ streamId: b, expected: 0, actual: 1 });
    expect(await store.streamVersion(`${a}-2`)).toBe(0);
    expect(await store.streamVersion(c)).toBe(0);
    expect([await store.streamVersion(a), await store.streamVersion(d)]).toEqual([1, 1]);
  });

  it('lets a second append to a stream wait for the next transaction, so both land in order', async () => {
    const s = stream();
    const [first, second] = await Promise.all([
      store.append(s, 0, [event('First')], meta),
      store.append(s, 1, [event('Second')], meta),
    ]);

    expect([first.version, second.version]).toEqual([1, 2]);
    const rows = await ds.query<{ stream_version: number; tx_id: string }[]>(
      `SELECT stream_version, tx_id::text FROM events WHERE stream_id = $1 ORDER BY stream_version`,
      [s],
    );
    expect(rows).toHaveLength(2);
    expect(BigInt(rows[0].tx_id) < BigInt(rows[1].tx_id)).toBe(true);
    expect(await countsOf(s)).toEqual({ events: 2, last_version: 2 });
  });

  it('settles only once every queued append is done', async () => {
    const streams = Array.from({ length: 20 }, stream);
    const pending = streams.map((s) => store.append(s, 0, [event()], meta));
    await store.settled();
    const versions = await Promise.all(streams.map((s) => store.streamVersion(s)));
    expect(versions).toEqual(streams.map(() => 1));
    await Promise.all(pending);
  });
});

describe('the append statement', () => {
  // It is sent without waiting for the BEGIN before it; outside the group commit's transaction it must write
  // nothing, or a failed BEGIN would let it commit on its own, without the projections.
  const values = (streamId: string, id = randomUUID()) =>
    appendParameters([
      { appends: [{ streamId, expectedVersion: 0, events: [{ id, type: 'Lone', data: {} }] }], metadata: meta },
    ]);

  it('writes nothing outside the transaction its BEGIN message opens', async () => {
    const streamId = stream();
    await expect(ds.query(APPEND_SQL, values(streamId))).rejects.toThrow(/append_batch|boolean/);
    await ds.transaction(async (em) => {
      await em.query('SET LOCAL ipledger.unrelated TO on');
      await expect(em.query(APPEND_SQL, values(streamId))).rejects.toThrow(/append_batch|boolean/);
    });
    expect(await ds.query(`SELECT 1 FROM streams WHERE stream_id = $1`, [streamId])).toEqual([]);
    expect(await ds.query(`SELECT 1 FROM events WHERE stream_id = $1`, [streamId])).toEqual([]);
  });

  it('writes inside it', async () => {
    const streamId = stream();
    await ds.transaction(async (em) => {
      await em.query(BEGIN_APPEND_BATCH_SQL.replace(/^BEGIN; /, ''));
      await em.query(APPEND_SQL, values(streamId));
    });
    expect(await ds.query(`SELECT version FROM streams WHERE stream_id = $1`, [streamId])).toEqual([{ version: 1 }]);
  });
});
