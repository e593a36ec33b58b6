import type { OutboxEvent } from '@ipledger/event-store';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { encodeEventPayload, eventHeaders } from './event-message.js';
import { subjectForEvent } from './subjects.js';

export interface PublishOutcome {
  /** How many events from the start of the batch JetStream confirmed, in order. */
  confirmed: number;
  duplicates: number;
  /** Why the first unconfirmed event failed, if any did. */
  error: unknown;
}

export interface PublishSettings {
  subjectPrefix: string;
  streamName: string;
  timeoutMs: number;
}

/**
 * Publishes a batch pipelined on one connection: every message is sent before the first ack is awaited. One
 * connection delivers them to the server in order, so the stream stores them in order; a retry resends the
 * same Nats-Msg-Id, which JetStream drops as a duplicate.
 */
export async function publishInOrder(
  js: JetStreamClient,
  events: readonly OutboxEvent[],
  settings: PublishSettings,
): Promise<PublishOutcome> {
  let subjects: string[];
  try {
    subjects = events.map((e) => subjectForEvent(e, settings.subjectPrefix));
  } catch (error) {
    return { confirmed: 0, duplicates: 0, error };
  }
  const acks = events.map((e, i) =>
    js.publish(subjects[i], encodeEventPayload(e), {
      msgID: e.id,
      headers: eventHeaders(e),
      expect: { streamName: settings.streamName },
      timeout: settings.timeoutMs,
    }),
  );
  const results = await Promise.allSettled(acks);
  let confirmed = 0;
  let duplicates = 0;
  for (const result of results) {
    if (result.status === 'rejected') {
      return { confirmed, duplicates, error: result.reason };
    }
    confirmed++;
    duplicates += duplicateCount(result.value);
  }
  return { confirmed, duplicates, error: null };
}

const duplicateCount = (ack: PubAck): number => (ack.duplicate ? 1 : 0);
