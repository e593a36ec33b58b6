import type { EventMetadata, RecordedEvent } from '@ipledger/event-store';
import { type MsgHdrs, headers } from '@nats-io/transport-node';

/** Headers on every published event, next to `Nats-Msg-Id` (the event id). */
export const EventHeaders = {
  stream: 'Ipledger-Stream',
  streamVersion: 'Ipledger-Stream-Version',
  position: 'Ipledger-Position',
  type: 'Ipledger-Event-Type',
  /** The writing transaction's xid: with the position, where the relay stands (OutboxCheckpoint). */
  txId: 'Ipledger-Tx-Id',
  traceparent: 'traceparent',
} as const;

export class EventDecodeError extends Error {
  override name = 'EventDecodeError';
}

/** The message body is the recorded event as JSON, `recordedAt` as an RFC 3339 string. */
export function encodeEventPayload(event: RecordedEvent): Uint8Array {
  const body = {
    position: event.position,
    id: event.id,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString(),
  };
  return Buffer.from(JSON.stringify(body));
}

export function eventHeaders(event: RecordedEvent & { txId?: string }): MsgHdrs {
  const h = headers();
  h.set(EventHeaders.stream, event.streamId);
  h.set(EventHeaders.streamVersion, String(event.streamVersion));
  h.set(EventHeaders.position, event.position);
  h.set(EventHeaders.type, event.type);
  if (event.txId !== undefined) {
    h.set(EventHeaders.txId, event.txId);
  }
  if (event.metadata.traceparent) {
    h.set(EventHeaders.traceparent, event.metadata.traceparent);
  }
  return h;
}

/** Parses and checks a message body; throws EventDecodeError on anything that is not a recorded event. */
export function decodeEventPayload(data: Uint8Array): RecordedEvent {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new EventDecodeError(`not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof body !== 'object' || body === null) {
    throw new EventDecodeError('not a JSON object');
  }
  const { position, id, streamId, streamVersion, type, data: eventData, metadata, recordedAt } = body;
  const recorded = typeof recordedAt === 'string' ? new Date(recordedAt) : null;
  const valid =
    typeof position === 'string' &&
    typeof id === 'string' &&
    typeof streamId === 'string' &&
    typeof streamVersion === 'number' &&
    Number.isInteger(streamVersion) &&
    typeof type === 'string' &&
    typeof metadata === 'object' &&
    metadata !== null &&
    recorded !== null &&
    !Number.isNaN(recorded.getTime());
  if (!valid) {
    throw new EventDecodeError('missing or malformed event fields');
  }
  return {
    position,
    id,
    streamId,
    streamVersion,
    type,
    data: eventData,
    metadata: metadata as EventMetadata,
    recordedAt: recorded,
  };
}
