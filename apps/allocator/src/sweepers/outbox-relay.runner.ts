import { Logger } from '@nestjs/common';
import { OutboxRelay, ensureStream } from '@ipledger/messaging';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';

export interface OutboxRelayRunnerOptions {
  databaseUrl: string;
  /** NATS_URL split at commas. */
  natsServers: string[];
  /** Called every second with the relay's lag (ipledger_outbox_lag_seconds). */
  onLag?: (seconds: number) => void;
}

/**
 * Runs the outbox relay (libs/messaging) inside the allocator's lifecycle: connects to NATS in the
 * background (the allocator serves allocations while NATS is away; the outbox keeps every event), makes
 * sure the IPLEDGER stream exists, and publishes. Among replicas one relay is active; the others stand by.
 */
export class OutboxRelayRunner {
  private readonly log = new Logger(OutboxRelayRunner.name);
  private connection: NatsConnection | null = null;
  private relay: OutboxRelay | null = null;
  private starting: Promise<void> | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: OutboxRelayRunnerOptions) {}

  start(): void {
    this.starting ??= this.run().catch((error: unknown) => {
      if (!this.stopped) {
        this.log.error(`outbox relay could not start: ${String(error)}`);
      }
    });
  }

  relayStats(): ReturnType<OutboxRelay['stats']> | null {
    return this.relay?.stats() ?? null;
  }

  /** Look for new events now: called after every commit of this process's event store. */
  wakeUp(): void {
    this.relay?.wakeUp();
  }

  /** This process publishes the outbox (holds the relay lock): its own commits wake it without a NOTIFY. */
  isActive(): boolean {
    return this.relay?.stats().active ?? false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.lagTimer) {
      clearInterval(this.lagTimer);
    }
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
      // Every event is published as a request: with async traces on, each one builds two Error stacks in
      // advance, just in case (a sizeable share of the allocator's CPU under load). Errors keep their message.
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
      js: jetstream(nc),
      jsm,
      onError: (error) => this.log.warn(`outbox relay: ${String(error)}`),
    });
    this.relay.start();
    if (this.stopped) {
      await this.relay.stop();
      await nc.close();
      return;
    }
    const onLag = this.options.onLag;
    if (onLag) {
      this.lagTimer = setInterval(() => onLag(this.relay?.stats().lagSeconds ?? 0), 1_000);
      this.lagTimer.unref();
    }
  }
}
