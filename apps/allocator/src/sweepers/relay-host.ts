import { OutboxRelay, type OutboxRelayStats, ensureStream } from '@ipledger/messaging';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';

export interface RelayHostOptions {
  databaseUrl: string;
  /** NATS_URL split at commas. */
  natsServers: string[];
  /** What went wrong (connecting, publishing): the owner logs it. */
  onProblem: (message: string) => void;
}

/**
 * The outbox relay (libs/messaging) with its NATS connection: connects in the background (the allocator serves
 * allocations while NATS is away; the outbox keeps every event), makes sure the IPLEDGER stream exists, and
 * publishes. Among replicas one relay is active; the others stand by. Free of Nest, so that it can run in a
 * worker thread as well as in the main one.
 */
export class RelayHost {
  private connection: NatsConnection | null = null;
  private relay: OutboxRelay | null = null;
  private starting: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: RelayHostOptions) {}

  start(): void {
    this.starting ??= this.run().catch((error: unknown) => {
      if (!this.stopped) {
        this.options.onProblem(`outbox relay could not start: ${String(error)}`);
      }
    });
  }

  wakeUp(): void {
    this.relay?.wakeUp();
  }

  stats(): OutboxRelayStats | null {
    return this.relay?.stats() ?? null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.relay?.stop();
    // A first connection still waiting for a server closes itself once it succeeds (see run).
    await this.connection?.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const nc = await connect({
      servers: this.options.natsServers,
      name: 'ipledger-allocator',
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      // Requests on this connection (the stream set-up) would otherwise build Error stacks in advance, just in
      // case. Errors keep their message.
      noAsyncTraces: true,
    });
    this.connection = nc;
    if (this.stopped) {
      await nc.close();
      return;
    }
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm);
    this.relay = new OutboxRelay({
      databaseUrl: this.options.databaseUrl,
      nc,
      jsm,
      onError: (error) => this.options.onProblem(`outbox relay: ${String(error)}`),
    });
    this.relay.start();
    if (this.stopped) {
      await this.relay.stop();
      await nc.close();
    }
  }
}
