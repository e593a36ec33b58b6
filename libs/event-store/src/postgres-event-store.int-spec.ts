import { randomUUID } from 'node:crypto';
import { DomainError } from '@ipledger/domain';
import { type TestDatabase, createTestDatabase } from '@ipledger/testing';
import type { DataSource, EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from './data-source.js';
import { ConcurrencyError, type NewEvent, type Projection, type RecordedEvent } from './event-store.port.js';
import { PostgresEventStore } from './postgres-event-store.js';

const meta = { actor: 'test/event-store' };
const event = (type = 'ThingHappened', data: unknown = { n: 1 }): NewEvent => ({ id: randomUUID(), type, data });
const stream = () => `test-${randomUUID()}`;

/** Counts events per stream in `event_counts`; refuses events of type `Poison`. */
class CountingProjection implements Projection {
  readonly name = 'counts';
  readonly tables = ['event_counts'];
  async apply(em: EntityManager, e: RecordedEvent): Promise<void> {
    if (e.type === 'Poison') {
      throw new Error('projection refused the event');
    }
    await em.query(
      `INSERT INTO event_counts (stream_id, events, last_version) VALUES ($1, 1, $2)
       ON CONFLICT (stream_id) DO UPDATE SET events = event_counts.events + 1, last_version = excluded.last_version`,
      [e.streamId, e.streamVersion],
    );
  }
}

let db: TestDatabase;
let ds: DataSource;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase('event-store');
  ds = createDataSource({ url: db.url, poolSize: 20 });
  await ds.initialize();
  await ds.query(`CREATE TABLE event_counts (stream_id text PRIMARY KEY, events int NOT NULL, last_version int)`);
  store = new PostgresEventStore(ds, [new CountingProjection()]);
});

afterAll(async () => {
  await store?.settled();
  await ds?.destroy();
  await db?.drop();
});

const countsOf = async (streamId: string) => {
  const rows = await ds.query<{ events: number; last_version: number }[]>(
    `SELECT events, last_version FROM event_counts WHERE stream_id = $1`,
    [streamId],
  );
  return rows[0];
};

describe('append and read', () => {
  it('records events with consecutive versions, increasing positions and the given metadata', async () => {
    const id = stream();
    const first = await store.append(id, 0, [event('A'), event('B')], { ...meta, traceparent: '00-abc-def-01' });
    const second = await store.append(id, 2, [event('C', { ip: '10.0.0.1' })], meta);

    expect(first.version).toBe(2);
    expect(second.version).toBe(3);
    const read = await store.readStream(id);
    expect(read.map((e) => [e.type, e.streamVersion])).toEqual([
      ['A', 1],
      ['B', 2],
      ['C', 3],
    ]);
    expect(read.map((e) => e.id)).toEqual([...first.events, ...second.events].map((e) => e.id));
    const positions = read.map((e) => BigInt(e.position));
    expect(positions[0] < positions[1] && positions[1] < positions[2]).toBe(true);
    expect(read[0].metadata).toEqual({ ...meta, traceparent: '00-abc-def-01' });
    expect(read[2].data).toEqual({ ip: '10.0.0.1' });
    expect(read[0].recordedAt).toBeInstanceOf(Date);
    expect(await store.streamVersion(id)).toBe(3);
    expect((await store.readStream(id, 3)).map((e) => e.type)).toEqual(['C']);
    expect(await store.streamVersion(stream())).toBe(0);
  });

  it('pages through every event in position order with readAll', async () => {
    const id = stream();
    await store.append(id, 0, [event(), event(), event()], meta);
    const mine: RecordedEvent[] = [];
    let after = '0';
    for (;;) {
      const page = await store.readAll({ afterPosition: after, limit: 2 });
      if (page.length === 0) {
        break;
      }
      mine.push(...page.filter((e) => e.streamId === id));
      after = page.at(-1)!.position;
    }
    expect(mine.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
  });

  it('rejects a stale expected version with a typed ConcurrencyError and writes nothing', async () => {
    const id = stream();
    await store.append(id, 0, [event()], meta);
    const stale = store.append(id, 0, [event()], meta);
    await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(stale).rejects.toMatchObject({ code: 'conflict', streamId: id, expected: 0, actual: 1 });
    await expect(store.append(id, 5, [event()], meta)).rejects.toMatchObject({ expected: 5, actual: 1 });
    expect(await store.streamVersion(id)).toBe(1);
    expect(await countsOf(id)).toEqual({ events: 1, last_version: 1 });
  });

  it('refuses an event id that was already appended', async () => {
    const id = stream();
    const e = event();
    await store.append(id, 0, [e], meta);
    const again = store.append(stream(), 0, [e], meta);
    await expect(again).rejects.toBeInstanceOf(DomainError);
    await expect(again).rejects.toMatchObject({ code: 'conflict', details: { reason: 'duplicate-event-id' } });
  });

  it('rejects empty appends and duplicate streams as invalid arguments', async () => {
    await expect(store.append(stream(), 0, [], meta)).rejects.toMatchObject({ code: 'invalid-argument' });
    const id = stream();
    const twice = [
      { streamId: id, expectedVersion: 0, events: [event()] },
      { streamId: id, expectedVersion: 0, events: [event()] },
    ];
    await expect(store.appendMany(twice, meta)).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});

describe('optimistic concurrency', () => {
  it('lets exactly one of many concurrent appends with the same expected version win, round after round', async () => {
    const id = stream();
    for (let version = 0; version < 5; version++) {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 16 }, (_, writer) => store.append(id, version, [event('Won', { writer })], meta)),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o) => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.every((o) => o.reason instanceof ConcurrencyError)).toBe(true);
    }
    const events = await store.readStream(id);
    expect(events.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5]);
    expect(await countsOf(id)).toEqual({ events: 5, last_version: 5 });
  });

  it('serialises writers that retry on conflict: no version is lost or written twice', async () => {
    const id = stream();
    const writer = async (w: number) => {
      for (let i = 0; i < 8; i++) {
        for (;;) {
          const version = await store.streamVersion(id);
          try {
            await store.append(id, version, [event('Step', { w, i })], meta);
            break;
          } catch (error) {
            if (!(error instanceof ConcurrencyError)) {
              throw error;
            }
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 12 }, (_, w) => writer(w)));
    const events = await store.readStream(id);
    expect(events.map((e) => e.streamVersion)).toEqual(Array.from({ length: 96 }, (_, i) => i + 1));
    for (let w = 0; w < 12; w++) {
      const own = events.filter((e) => (e.data as { w: number }).w === w).map((e) => (e.data as { i: number }).i);
      expect(own).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    }
  });

  it("appends with 'any' from many writers at once, all of them, in distinct versions", async () => {
    const id = stream();
    await Promise.all(Array.from({ length: 16 }, (_, w) => store.append(id, 'any', [event('Any', { w })], meta)));
    const events = await store.readStream(id);
    expect(events.map((e) => e.streamVersion)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => (e.data as { w: number }).w)).size).toBe(16);
  });

  it('appends to several streams atomically: one stale stream stops all of them', async () => {
    const a = stream();
    const b = stream();
    await store.append(b, 0, [event()], meta);
    const attempt = store.appendMany(
      [
        { streamId: a, expectedVersion: 0, events: [event(), event()] },
        { streamId: b, expectedVersion: 0, events: [event()] },
      ],
      meta,
    );
    await expect(attempt).rejects.toMatchObject({ streamId: b, expected: 0, actual: 1 });
    expect(await store.streamVersion(a)).toBe(0);
    expect(await store.readStream(a)).toEqual([]);

    const results = await store.appendMany(
      [
        { streamId: a, expectedVersion: 0, events: [event(), event()] },
        { streamId: b, expectedVersion: 1, events: [event()] },
      ],
      meta,
    );
    expect(results.map((r) => [r.streamId, r.version, r.events.length])).toEqual([
      [a, 2, 2],
      [b, 2, 1],
    ]);
  });
});

describe('projections', () => {
  it('are written in the same transaction: a failing projection rolls the events back', async () => {
    const id = stream();
    await store.append(id, 0, [event()], meta);
    await expect(store.append(id, 1, [event(), event('Poison')], meta)).rejects.toThrow('projection refused');
    expect(await store.streamVersion(id)).toBe(1);
    expect((await store.readStream(id)).map((e) => e.streamVersion)).toEqual([1]);
    expect(await countsOf(id)).toEqual({ events: 1, last_version: 1 });
    await store.append(id, 1, [event()], meta);
    expect(await countsOf(id)).toEqual({ events: 2, last_version: 2 });
  });
});

describe('the events table', () => {
  it('is append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const id = stream();
    await store.append(id, 0, [event()], meta);
    await expect(ds.query(`UPDATE events SET type = 'Changed' WHERE stream_id = $1`, [id])).rejects.toThrow(
      /append-only/,
    );
    await expect(ds.query(`DELETE FROM events WHERE stream_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(ds.query(`TRUNCATE events`)).rejects.toThrow(/append-only/);
    expect((await store.readStream(id)).map((e) => e.type)).toEqual(['ThingHappened']);
  });
});
