// The dev cluster on the local NATS: the IPLEDGER stream is deleted before the allocator starts (its relay
// creates it again), so that a re-run's agents never see the events of an earlier run; then every event
// the relay publishes is followed, to tell the user what the allocator did.
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { type RecordedEvent } from '@ipledger/event-store';
import { decodeEventPayload, DEFAULT_STREAM_NAME, DEFAULT_SUBJECT_PREFIX } from '@ipledger/messaging';

export class DevNats {
  private subscription: Subscription | null = null;

  private constructor(private readonly connection: NatsConnection) {}

  /** Connects, failing after a few seconds with a message that says where NATS was looked for. */
  static async connect(url: string): Promise<DevNats> {
    try {
      const connection = await connect({ servers: url.split(','), name: 'ipledger-devcluster', timeout: 5_000 });
      return new DevNats(connection);
    } catch (error) {
      throw new Error(
        `cannot reach NATS at ${url} (${(error as Error).message}); start it with: nats-server -js -a 127.0.0.1 -p 4222 -sd /var/lib/nats-server`,
        { cause: error },
      );
    }
  }

  /** Deletes the stream (and with it the agents' durable consumers); true when there was one. */
  async resetStream(name = DEFAULT_STREAM_NAME): Promise<boolean> {
    const jsm = await jetstreamManager(this.connection, { timeout: 5_000 }).catch((error: unknown) => {
      throw new Error(`NATS has no JetStream (start nats-server with -js): ${(error as Error).message}`, {
        cause: error,
      });
    });
    try {
      return await jsm.streams.delete(name);
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) {
        return false;
      }
      throw error;
    }
  }

  /** Calls `onEvent` with every ledger event published from now on (core subscription: no replay). */
  follow(onEvent: (event: RecordedEvent) => void): void {
    this.subscription = this.connection.subscribe(`${DEFAULT_SUBJECT_PREFIX}.>`, {
      callback: (error, message) => {
        if (error) {
          return;
        }
        try {
          onEvent(decodeEventPayload(message.data));
        } catch {
          // Not a ledger event (someone else's message on the subject): nothing to show.
        }
      },
    });
  }

  /** Waits until the server has seen the subscription, so that no event published after this is missed. */
  flush(): Promise<void> {
    return this.connection.flush();
  }

  async close(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.connection.close().catch(() => undefined);
  }
}
