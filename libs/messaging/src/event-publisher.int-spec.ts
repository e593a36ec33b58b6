import { randomUUID } from 'node:crypto';
import type { OutboxEvent } from '@ipledger/event-store';
import { type NatsServer, startNatsServer } from '@ipledger/testing';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamPublisher, PublishError } from './event-publisher.js';
import { ensureStream } from './jetstream-stream.js';
import { readStreamContents } from './testing/stream-contents.js';

const STREAM = 'PUBLISHER_SPEC';
const PREFIX = 'pubspec.v1';
const settings = { streamName: STREAM, subjectPrefix: PREFIX, timeoutMs: 2_000 };

let nats: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let position = 0;

const event = (node = 'n1'): OutboxEvent => {
  position += 1;
  return {
    position: String(position),
    id: randomUUID(),
    streamId: `node-${node}`,
    streamVersion: position,
    type: 'IpAllocated',
    data: { node, ip: `10.0.0.${position % 250}` },
    metadata: { actor: 'test/publisher' },
    recordedAt: new Date(),
    txId: String(1_000 + position),
  };
};

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
  await ensureStream(jsm, { name: STREAM, subjectPrefix: PREFIX });
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe('JetStreamPublisher', () => {
  it('stores a batch in order under its message ids, and counts a republished one as duplicates', async () => {
    const publisher = new JetStreamPublisher(nc, settings);
    const batch = Array.from({ length: 20 }, () => event());
    expect(await publisher.publishInOrder(batch)).toEqual({ confirmed: 20, duplicates: 0, error: null });
    expect(await publisher.publishInOrder(batch.slice(15))).toEqual({ confirmed: 5, duplicates: 5, error: null });
    const stored = (await readStreamContents(jsm, STREAM)).filter((s) => batch.some((e) => e.id === s.msgId));
    expect(stored.map((s) => s.msgId)).toEqual(batch.map((e) => e.id));
    publisher.close();
  });

  it('confirms the events before the first one JetStream refuses, and says why', async () => {
    // No stream takes the subjects of another prefix: the server answers "no responders" at once.
    const elsewhere = new JetStreamPublisher(nc, { ...settings, subjectPrefix: 'nowhere.v1' });
    const outcome = await elsewhere.publishInOrder([event(), event()]);
    expect(outcome.confirmed).toBe(0);
    expect(outcome.error).toBeInstanceOf(PublishError);
    expect(String(outcome.error)).toContain('no JetStream stream takes');

    const wrongStream = new JetStreamPublisher(nc, { ...settings, streamName: 'SOME_OTHER' });
    const refused = await wrongStream.publishInOrder([event()]);
    expect(refused.confirmed).toBe(0);
    expect(String(refused.error)).toContain('JetStream refused the message');

    // A stream that takes node n1's subjects only: the third event (node n2) is refused, the fourth is stored.
    await jsm.streams.add({ name: 'PARTIAL', subjects: ['partial.v1.node.n1.>'] });
    const partial = new JetStreamPublisher(nc, { ...settings, streamName: 'PARTIAL', subjectPrefix: 'partial.v1' });
    const { confirmed, error } = await partial.publishInOrder([event(), event(), event('n2'), event()]);
    expect(confirmed).toBe(2);
    expect(String(error)).toContain('no JetStream stream takes');
    [elsewhere, wrongStream, partial].forEach((p) => p.close());
  });

  it('fails a batch nobody acknowledges once its timeout passes', async () => {
    // Something answers the subject (so no "no responders"), but never replies.
    const silent = nc.subscribe('silent.v1.>');
    const publisher = new JetStreamPublisher(nc, { ...settings, subjectPrefix: 'silent.v1', timeoutMs: 200 });
    const started = Date.now();
    const outcome = await publisher.publishInOrder([event(), event()]);
    expect(outcome.confirmed).toBe(0);
    expect(String(outcome.error)).toContain('did not acknowledge within 200 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    silent.unsubscribe();
    publisher.close();
  });

  it('fails what still waits when it is closed', async () => {
    const silent = nc.subscribe('silent2.v1.>');
    const publisher = new JetStreamPublisher(nc, { ...settings, subjectPrefix: 'silent2.v1', timeoutMs: 10_000 });
    const pending = publisher.publishInOrder([event()]);
    await nc.flush();
    publisher.close();
    const outcome = await pending;
    expect(outcome.confirmed).toBe(0);
    expect(String(outcome.error)).toContain('closed');
    silent.unsubscribe();
  });
});
