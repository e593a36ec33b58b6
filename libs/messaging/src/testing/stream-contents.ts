import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import { EventHeaders, decodeEventPayload } from '../event-message.js';

export interface StoredEvent {
  seq: number;
  subject: string;
  msgId: string;
  stream: string;
  streamVersion: number;
  position: bigint;
  txId: bigint;
  type: string;
  traceparent: string | undefined;
  eventId: string;
}

/** Every message in a JetStream stream, in stream order (test helper). */
export async function readStreamContents(jsm: JetStreamManager, streamName: string): Promise<StoredEvent[]> {
  const info = await jsm.streams.info(streamName);
  const out: StoredEvent[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const msg = await jsm.streams.getMessage(streamName, { seq });
    if (msg) {
      out.push(toStoredEvent(msg));
    }
  }
  return out;
}

function toStoredEvent(msg: StoredMsg): StoredEvent {
  const h = (name: string) => msg.header.get(name);
  return {
    seq: msg.seq,
    subject: msg.subject,
    msgId: h('Nats-Msg-Id'),
    stream: h(EventHeaders.stream),
    streamVersion: Number(h(EventHeaders.streamVersion)),
    position: BigInt(h(EventHeaders.position)),
    txId: BigInt(h(EventHeaders.txId)),
    type: h(EventHeaders.type),
    traceparent: h(EventHeaders.traceparent) || undefined,
    eventId: decodeEventPayload(msg.data).id,
  };
}

/** Checks the properties the relay promises; returns a list of violations (empty when all hold). */
export function deliveryViolations(stored: StoredEvent[], expectedIds: Iterable<string>): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const s of stored) {
    seen.set(s.msgId, (seen.get(s.msgId) ?? 0) + 1);
  }
  for (const id of expectedIds) {
    const count = seen.get(id) ?? 0;
    if (count !== 1) {
      problems.push(`event ${id} stored ${count} times`);
    }
  }
  const lastVersion = new Map<string, number>();
  for (const s of stored) {
    const previous = lastVersion.get(s.stream) ?? 0;
    if (s.streamVersion <= previous) {
      problems.push(`stream ${s.stream}: version ${s.streamVersion} after ${previous} (seq ${s.seq})`);
    }
    lastVersion.set(s.stream, s.streamVersion);
  }
  for (let i = 1; i < stored.length; i++) {
    const [a, b] = [stored[i - 1], stored[i]];
    if (a.txId > b.txId || (a.txId === b.txId && a.position >= b.position)) {
      problems.push(`commit order broken at seq ${b.seq}`);
    }
  }
  return problems;
}
