import { randomUUID } from 'node:crypto';
import {
  type EventStore,
  OUTBOX_START,
  PostgresEventStore,
  type Projection,
  type RecordedEvent,
  createDataSource,
  readOutbox,
} from '@ipledger/event-store';
import { type NatsServer, type TestDatabase, createTestDatabase, startNatsServer, waitUntil } from '@ipledger/testing';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStream } from './jetstream-stream.js';
import { OutboxRelay } from './outbox-relay.js';
import { deliveryViolations, readStreamContents } from './testing/stream-contents.js';

const STREAM = 'IPLEDGER';
const meta = { actor: 'test/relay', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

/** Holds the append of any `Held` event open (inside its transaction) until released. */
class GateProjection implements Projection {
  readonly name = 'gate';
  readonly tables = [];
  private release!: () => void;
  private readonly released = new Promise<void>((r) => (this.release = r));
  private entered!: (e: RecordedEvent) => void;
  readonly heldEvent = new Promise<RecordedEvent>((r) => (this.entered = r));
  async apply(_em: unknown, e: RecordedEvent): Promise<void> {
    if (e.type === 'Held') {
      this.entered(e);
      await this.released;
    }
  }
  open(): void {
    this.release();
  }
}

let db: TestDatabase;
let ds: DataSource;
let nats: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let relay: OutboxRelay;
const gate = new GateProjection();
let store: EventStore & { settled(): Promise<void> };

const ev = (type: string, data: Record<string, unknown>) => ({ id: randomUUID(), type, data });
const published = () => readStreamContents(jsm, STREAM);
const waitForAll = (ids: string[]) =>
  waitUntil(
    async () => {
      const stored = await published();
      const have = new Set(stored.map((s) => s.msgId));
      return ids.every((id) => have.has(id)) ? stored : undefined;
    },
    { message: 'relay did not publish every event' },
  );

beforeAll(async () => {
  db = await createTestDatabase('relay');
  ds = createDataSource({ url: db.url, poolSize: 20 });
  await ds.initialize();
  store = new PostgresEventStore(ds, [gate]);
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
  await ensureStream(jsm, { name: STREAM });
  relay = new OutboxRelay({ databaseUrl: db.url, nc, jsm, streamName: STREAM, batchSize: 16 });
  relay.start();
});

afterAll(async () => {
  await relay?.stop();
  await nc?.close();
  await nats?.stop();
  await store?.settled();
  await ds?.destroy();
  await db?.drop();
});

describe('OutboxRelay', () => {
  it('publishes every event once, per stream in version order, with its headers and node subject', async () => {
    const nodes = ['ip-10-0-0-1.cn-hangzhou.internal', 'ip-10-0-0-1', 'n3', 'n4', 'n5', 'n6'];
    const ids: string[] = [];
    await Promise.all(
      nodes.map(async (node) => {
        for (let v = 0; v < 30;) {
          const events = Array.from({ length: 1 + (v % 3) }, () => ev('IpAllocated', { node, ip: `10.0.0.${v}` }));
          ids.push(...events.map((e) => e.id));
          await store.append(`node-${node}`, v, events, meta);
          v += events.length;
        }
      }),
    );
    const stored = await waitForAll(ids);

    expect(deliveryViolations(stored, ids)).toEqual([]);
    const mine = stored.filter((s) => ids.includes(s.msgId));
    expect(mine).toHaveLength(ids.length);
    const first = mine.find((s) => s.stream === `node-${nodes[0]}` && s.streamVersion === 1)!;
    expect(first.subject).toBe('ipledger.v1.node.ip-10-0-0-1_cn-hangzhou_internal.IpAllocated');
    expect(first.type).toBe('IpAllocated');
    expect(first.traceparent).toBe(meta.traceparent);
    expect(first.eventId).toBe(first.msgId);
    expect(relay.stats()).toMatchObject({ active: true, lastError: null });
    expect(relay.stats().published).toBeGreaterThanOrEqual(ids.length);
  });

  it('saves the checkpoint of the last event it published once it has caught up', async () => {
    const events = Array.from({ length: 5 }, (_, i) => ev('IpAllocated', { node: 'n7', ip: `10.0.7.${i}` }));
    await store.append(`node-n7-${randomUUID()}`, 0, events, meta);
    await waitForAll(events.map((e) => e.id));
    const last = await ds.query<{ tx_id: string; position: string }[]>(
      `SELECT tx_id::text AS tx_id, position FROM events WHERE id = $1`,
      [events.at(-1)!.id],
    );
    const saved = () =>
      ds.query<{ tx_id: string; position: string }[]>(
        `SELECT tx_id::text AS tx_id, position FROM outbox_checkpoints WHERE name = 'jetstream'`,
      );
    await waitUntil(async () => ((await saved())[0]?.position === last[0].position ? true : undefined), {
      message: 'checkpoint saved',
    });
    expect((await saved())[0]).toEqual({ tx_id: last[0].tx_id, position: last[0].position });
    expect(relay.stats().checkpoint).toEqual({ txId: last[0].tx_id, position: last[0].position });
  });

  it('publishes every event once, in per-stream order, when appends are group-committed', async () => {
    const streams = Array.from({ length: 24 }, (_, n) => ({ id: `node-batched-${n}-${randomUUID()}`, node: `b${n}` }));
    const ids: string[] = [];
    let appends = 0;
    await Promise.all(
      streams.map(async ({ id, node }, n) => {
        for (let v = 0; v < 12;) {
          const events = Array.from({ length: Math.min(12 - v, 1 + ((v + n) % 2)) }, () =>
            ev('IpAllocated', { node, ip: `10.7.${n}.${v}` }),
          );
          ids.push(...events.map((e) => e.id));
          await store.append(id, v, events, meta);
          appends++;
          v += events.length;
        }
      }),
    );
    const [{ transactions }] = await ds.query<{ transactions: number }[]>(
      `SELECT count(DISTINCT tx_id)::int AS transactions FROM events WHERE stream_id = ANY($1::text[])`,
      [streams.map((s) => s.id)],
    );
    expect(transactions).toBeLessThan(appends);

    const stored = await waitForAll(ids);
    expect(deliveryViolations(stored, ids)).toEqual([]);
    for (const { id } of streams) {
      const versions = stored.filter((s) => s.stream === id).map((s) => s.streamVersion);
      expect(versions).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    }
  });

  it('skips nothing when a lower position commits after higher ones (the bigserial gap)', async () => {
    const heldStream = `node-held-${randomUUID()}`;
    const holding = store.append(heldStream, 0, [ev('Held', { node: 'held' })], meta);
    const held = await gate.heldEvent;

    const later: string[] = [];
    for (let i = 0; i < 10; i++) {
      const e = ev('Later', { node: `later-${i}` });
      later.push(e.id);
      await store.append(`node-later-${i}-${randomUUID()}`, 0, [e], meta);
    }

    // The trap is real: later events are visible at higher positions while the held one is not yet.
    const visible = await ds.query<{ position: string }[]>(`SELECT position FROM events WHERE position >= $1`, [
      held.position,
    ]);
    expect(visible.map((r) => r.position)).not.toContain(held.position);
    expect(visible.length).toBeGreaterThanOrEqual(later.length);
    // The relay's read rule keeps them back until the held transaction is over.
    const reader = new pg.Client({ connectionString: db.url });
    await reader.connect();
    const readable = await readOutbox(reader, OUTBOX_START, 100_000);
    await reader.end();
    expect(readable.map((e) => e.id)).not.toContain(held.id);
    expect(readable.filter((e) => later.includes(e.id))).toEqual([]);
    // Held back, they show in the relay's lag.
    await waitUntil(() => relay.stats().lagSeconds > 0, { message: 'held-back events not in the lag' });

    gate.open();
    await holding;
    const next = ev('AfterHeld', { node: 'held' });
    await store.append(heldStream, 1, [next], meta);

    const all = [held.id, ...later, next.id];
    const stored = await waitForAll(all);
    expect(deliveryViolations(stored, all)).toEqual([]);
    const heldOnes = stored.filter((s) => s.stream === heldStream);
    expect(heldOnes.map((s) => [s.type, s.streamVersion])).toEqual([
      ['Held', 1],
      ['AfterHeld', 2],
    ]);
  });

  it('keeps one relay active: a second one waits on the lock and takes over when the first stops', async () => {
    const standby = new OutboxRelay({ databaseUrl: db.url, nc, jsm, streamName: STREAM, standbyRetryMs: 50 });
    standby.start();
    try {
      const a = ev('IpAllocated', { node: 'failover', ip: '10.9.0.1' });
      await store.append(`node-failover-${randomUUID()}`, 0, [a], meta);
      await waitForAll([a.id]);
      expect(standby.stats()).toMatchObject({ active: false, published: 0 });

      await relay.stop();
      await waitUntil(() => standby.stats().active, { message: 'standby never took over' });
      const b = ev('IpAllocated', { node: 'failover', ip: '10.9.0.2' });
      await store.append(`node-failover-${randomUUID()}`, 0, [b], meta);
      const stored = await waitForAll([b.id]);
      expect(deliveryViolations(stored, [a.id, b.id])).toEqual([]);
      expect(standby.stats().published).toBe(1);
    } finally {
      await standby.stop();
      relay = new OutboxRelay({ databaseUrl: db.url, nc, jsm, streamName: STREAM });
      relay.start();
    }
  });

  it('after losing its checkpoint republishes only duplicates, or resumes from the stream', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const e = ev('IpAllocated', { node: 'rewind', ip: `10.8.0.${i}` });
      ids.push(e.id);
      await store.append(`node-rewind-${i}-${randomUUID()}`, 0, [e], meta);
    }
    const before = await waitForAll(ids);
    await relay.stop();
    const rewind = () => ds.query(`UPDATE outbox_checkpoints SET tx_id = '0', position = 0`);

    await rewind();
    const replaying = new OutboxRelay({ databaseUrl: db.url, nc, jsm, streamName: STREAM, resumeFromStream: false });
    replaying.start();
    await waitUntil(() => replaying.stats().published >= before.length, { message: 'no republish' });
    await replaying.stop();
    expect(replaying.stats().duplicates).toBe(replaying.stats().published);
    expect(await published()).toEqual(before);

    await rewind();
    relay = new OutboxRelay({ databaseUrl: db.url, nc, jsm, streamName: STREAM });
    relay.start();
    await waitUntil(() => relay.stats().active, { message: 'relay never became active' });
    const after = ev('IpAllocated', { node: 'rewind', ip: '10.8.1.1' });
    await store.append(`node-rewind-${randomUUID()}`, 0, [after], meta);
    const stored = await waitForAll([after.id]);
    expect(relay.stats()).toMatchObject({ published: 1, duplicates: 0 });
    expect(stored).toEqual([...before, ...stored.slice(before.length)]);
    expect(deliveryViolations(stored, [...ids, after.id])).toEqual([]);
  });
});
