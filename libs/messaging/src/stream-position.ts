import type { OutboxCheckpoint } from '@ipledger/event-store';
import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { EventHeaders } from './event-message.js';

/** Where the last message in the stream came from in the outbox, if the relay published it. */
export async function lastPublishedCheckpoint(
  jsm: JetStreamManager,
  streamName: string,
): Promise<OutboxCheckpoint | null> {
  const info = await jsm.streams.info(streamName);
  if (info.state.last_seq === 0) {
    return null;
  }
  const message = await jsm.streams.getMessage(streamName, { seq: info.state.last_seq }).catch((error: unknown) => {
    // Removed meanwhile (limits, purge): nothing to resume from, the saved checkpoint stands.
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound) {
      return null;
    }
    throw error;
  });
  const txId = message?.header.get(EventHeaders.txId);
  const position = message?.header.get(EventHeaders.position);
  return txId && position ? { txId, position } : null;
}
