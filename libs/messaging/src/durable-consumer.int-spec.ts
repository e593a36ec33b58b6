import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '@ipledger/event-store';
import { type NatsServer, startNatsServer, waitUntil } from '@ipledger/testing';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Delivery, type HandlerResult, runDurableConsumer } from './durable-consumer.js';
import { encodeEventPayload, eventHeaders } from './event-message.js';
import { ensureStream } from './jetstream-stream.js';
import { nodeSubjectFilter, subjectForEvent } from './subjects.js';

const STREAM = 'IPLEDGER';

let nats: NatsServer;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let position = 0;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await ensureStream(jsm, { name: STREAM });
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

/** A fresh node name per test, so each test has its own subjects and consumer. */
const newNode = () => `ip-${randomUUID().slice(0, 8)}.zone.internal`;

async function publish(node: string, type: string, streamVersion: number): Promise<RecordedEvent> {
  const event: RecordedEvent = {
    position: String(++position),
    id: randomUUID(),
    streamId: `node-${node}`,
    streamVersion,
    type,
    data: { node },
    metadata: { actor: 'test/consumer' },
    recordedAt: new Date(),
  };
  await js.publish(subjectForEvent(event), encodeEventPayload(event), {
    msgID: event.id,
    headers: eventHeaders(event),
  });
  return event;
}

interface Seen {
  type: string;
  version: number;
  delivery: number;
}

function recorder(decide: (event: RecordedEvent, delivery: Delivery) => HandlerResult) {
  const seen: Seen[] = [];
  const handler = (event: RecordedEvent, delivery: Delivery) => {
    seen.push({ type: event.type, version: event.streamVersion, delivery: delivery.deliveryCount });
    return Promise.resolve(decide(event, delivery));
  };
  return { seen, handler };
}

function capturingLogger() {
  const warnings: { message: string; fields: Record<string, unknown> }[] = [];
  return {
    warnings,
    logger: { warn: (message: string, fields: Record<string, unknown>) => warnings.push({ message, fields }) },
  };
}

const pending = async (durable: string) => {
  const info = await jsm.consumers.info(STREAM, durable);
  return { ackPending: info.num_ack_pending, pending: info.num_pending, redelivered: info.num_redelivered };
};

/**
 * The consumer's counts once the server has taken the last ack: the runner acks after the handler returns, so
 * a test that saw the handler run may ask the server a moment before that ack arrives. Fails if acks stay
 * pending.
 */
async function settledPending(durable: string): Promise<Awaited<ReturnType<typeof pending>>> {
  return waitUntil(
    async () => {
      const counts = await pending(durable);
      return counts.ackPending === 0 ? counts : undefined;
    },
    { timeoutMs: 5_000, message: `${durable}: acks still pending` },
  );
}

describe('runDurableConsumer', () => {
  it("acks after the handler, sees only its node's events (dots in names), and resumes after stop", async () => {
    const node = newNode();
    const durable = `agent-${node.replaceAll('.', '_')}`;
    const other = `${node.split('.')[0]}`; // a node whose name is a prefix of ours
    await publish(other, 'IpAllocated', 1);
    await publish(node, 'IpAllocated', 1);
    await publish(node, 'IpReleased', 2);
    const { seen, handler } = recorder(() => ({ ack: true }));
    const options = { js, jsm, stream: STREAM, durable, filterSubject: nodeSubjectFilter(node), handler };

    const first = await runDurableConsumer(options);
    await waitUntil(() => seen.length >= 2);
    await first.stop();
    expect(seen.map((s) => [s.type, s.version])).toEqual([
      ['IpAllocated', 1],
      ['IpReleased', 2],
    ]);
    expect(first.stats()).toEqual({ acked: 2, naked: 0, terminated: 0 });

    await publish(node, 'IpAllocated', 3);
    const second = await runDurableConsumer(options);
    await waitUntil(() => seen.length >= 3);
    await second.stop();
    expect(seen.map((s) => s.version)).toEqual([1, 2, 3]);
    expect(await settledPending(durable)).toEqual({ ackPending: 0, pending: 0, redelivered: 0 });
  });

  it('redelivers a nak-ed event after its delay, before any later event', async () => {
    const node = newNode();
    const durable = `agent-${node.replaceAll('.', '_')}`;
    for (let v = 1; v <= 3; v++) {
      await publish(node, `Step${v}`, v);
    }
    const { seen, handler } = recorder((e, d) =>
      e.streamVersion === 2 && d.deliveryCount < 3 ? { nak: 50 } : { ack: true },
    );
    const consumer = await runDurableConsumer({
      js,
      jsm,
      stream: STREAM,
      durable,
      filterSubject: nodeSubjectFilter(node),
      handler,
    });
    await waitUntil(() => seen.length >= 5);
    await consumer.stop();
    expect(seen).toEqual([
      { type: 'Step1', version: 1, delivery: 1 },
      { type: 'Step2', version: 2, delivery: 1 },
      { type: 'Step2', version: 2, delivery: 2 },
      { type: 'Step2', version: 2, delivery: 3 },
      { type: 'Step3', version: 3, delivery: 1 },
    ]);
    expect(consumer.stats()).toEqual({ acked: 3, naked: 2, terminated: 0 });
    expect(await settledPending(durable)).toMatchObject({ pending: 0 });
  });

  it('terminates poison (by handler verdict or undecodable) with a logged reason and carries on', async () => {
    const node = newNode();
    const durable = `agent-${node.replaceAll('.', '_')}`;
    await publish(node, 'Good', 1);
    await publish(node, 'Poison', 2);
    await js.publish(`ipledger.v1.node.${node.replaceAll('.', '_')}.Garbage`, new TextEncoder().encode('{not json'));
    await publish(node, 'Good', 3);
    const { seen, handler } = recorder((e) => (e.type === 'Poison' ? { term: 'unknown ENI' } : { ack: true }));
    const { warnings, logger } = capturingLogger();
    const consumer = await runDurableConsumer({
      js,
      jsm,
      stream: STREAM,
      durable,
      filterSubject: nodeSubjectFilter(node),
      handler,
      logger,
    });
    await waitUntil(() => seen.length >= 3);
    await consumer.stop();

    expect(seen.map((s) => [s.type, s.version])).toEqual([
      ['Good', 1],
      ['Poison', 2],
      ['Good', 3],
    ]);
    expect(consumer.stats()).toEqual({ acked: 2, naked: 0, terminated: 2 });
    expect(warnings.map((w) => w.fields.reason)).toEqual(['unknown ENI', expect.stringMatching(/^undecodable: /)]);
    expect(await settledPending(durable)).toEqual({ ackPending: 0, pending: 0, redelivered: 0 });
  });

  it('treats a throwing handler as transient: the event comes again', async () => {
    const node = newNode();
    let failures = 1;
    const { seen, handler } = recorder(() => {
      if (failures-- > 0) {
        throw new Error('netlink busy');
      }
      return { ack: true };
    });
    const { warnings, logger } = capturingLogger();
    await publish(node, 'IpAllocated', 1);
    const consumer = await runDurableConsumer({
      js,
      jsm,
      stream: STREAM,
      durable: `agent-${node.replaceAll('.', '_')}`,
      filterSubject: nodeSubjectFilter(node),
      handler,
      errorRetryMs: 20,
      logger,
    });
    await waitUntil(() => seen.length >= 2);
    await consumer.stop();
    expect(seen.map((s) => s.delivery)).toEqual([1, 2]);
    expect(warnings[0]).toMatchObject({
      message: 'handler failed; will retry',
      fields: { error: 'Error: netlink busy' },
    });
    expect(consumer.stats()).toEqual({ acked: 1, naked: 1, terminated: 0 });
  });

  it('lets the event in progress finish and ack when stopped', async () => {
    const node = newNode();
    const durable = `agent-${node.replaceAll('.', '_')}`;
    await publish(node, 'Slow', 1);
    let finish!: () => void;
    const finishing = new Promise<void>((r) => (finish = r));
    let started!: () => void;
    const inHandler = new Promise<void>((r) => (started = r));
    const consumer = await runDurableConsumer({
      js,
      jsm,
      stream: STREAM,
      durable,
      filterSubject: nodeSubjectFilter(node),
      handler: async () => {
        started();
        await finishing;
        return { ack: true };
      },
    });
    await inHandler;
    const stopping = consumer.stop();
    finish();
    await stopping;
    expect(consumer.stats().acked).toBe(1);
    await waitUntil(async () => (await pending(durable)).ackPending === 0);
  });
});
