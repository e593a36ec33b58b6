import {
  EVENTS_CHANNEL,
  type OutboxCheckpoint,
  type OutboxEvent,
  compareCheckpoints,
  firstEventBeyondHorizon,
  loadCheckpoint,
  readOutbox,
  saveCheckpoint,
  saveCheckpointThenLookBeyond,
} from '@ipledger/event-store';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { JetStreamPublisher } from './event-publisher.js';
import { lastPublishedCheckpoint } from './stream-position.js';
import { DEFAULT_STREAM_NAME, DEFAULT_SUBJECT_PREFIX } from './subjects.js';
import { WakeSignal } from './wake-signal.js';

export interface OutboxRelayOptions {
  databaseUrl: string;
  /** The connection events are published on (see JetStreamPublisher). */
  nc: NatsConnection;
  /** With it, a relay starting up skips what JetStream already holds (see `resumeFromStream`). */
  jsm?: JetStreamManager;
  /** Default IPLEDGER; publishes are rejected unless they land in this stream. */
  streamName?: string;
  subjectPrefix?: string;
  /** Checkpoint row and lock name; one relay per name is active across all replicas. Default 'jetstream'. */
  name?: string;
  /** Default 256 events read and published per round. */
  batchSize?: number;
  /** Fallback poll when no NOTIFY comes (e.g. an unrelated transaction held the xmin back). Default 100 ms. */
  pollIntervalMs?: number;
  /** How often a standby replica tries to take over. Default 1 s. */
  standbyRetryMs?: number;
  publishTimeoutMs?: number;
  /**
   * Default true (needs `jsm`): on becoming active, move the checkpoint up to the last message in the stream
   * (its Ipledger-Tx-Id and Ipledger-Position headers), so a crash between publish and checkpoint never
   * republishes, however long ago. The stream must then carry this ledger's events only.
   */
  resumeFromStream?: boolean;
  onPublished?: (events: readonly OutboxEvent[]) => void;
  onError?: (error: unknown) => void;
}

export interface OutboxRelayStats {
  /** Holds the lock and publishes. */
  active: boolean;
  checkpoint: OutboxCheckpoint | null;
  /** Events JetStream confirmed since start, duplicates included. */
  published: number;
  /** Confirmations that were duplicates (republished after a crash, dropped by JetStream). */
  duplicates: number;
  /**
   * Age of the oldest committed event not yet confirmed by JetStream, whether in flight or held back by an
   * older transaction; 0 when caught up (ipledger_outbox_lag_seconds).
   */
  lagSeconds: number;
  lastPublishedAt: Date | null;
  lastError: string | null;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;
const MIN_HORIZON_WAIT_MS = 2;

/**
 * Publishes the events table to JetStream in commit order, exactly once. The read rule that makes commit order
 * safe is explained in @ipledger/event-store's outbox.queries.ts and docs/event-store.md. One replica is active:
 * it holds a session-level advisory lock on a dedicated connection (never a long transaction, which would hold
 * back the xmin the reads depend on); the others retry now and then and take over when its connection drops.
 */
export class OutboxRelay {
  private readonly wake = new WakeSignal();
  private readonly settings;
  private readonly publisher: JetStreamPublisher;
  private stopping = false;
  private running: Promise<void> | null = null;
  private readonly sleepers = new Set<() => void>();
  private oldestUnconfirmed: Date | null = null;
  private readonly state: Omit<OutboxRelayStats, 'lagSeconds'> = {
    active: false,
    checkpoint: null,
    published: 0,
    duplicates: 0,
    lastPublishedAt: null,
    lastError: null,
  };

  constructor(private readonly options: OutboxRelayOptions) {
    this.settings = {
      name: options.name ?? 'jetstream',
      batchSize: options.batchSize ?? 256,
      pollIntervalMs: options.pollIntervalMs ?? 100,
      standbyRetryMs: options.standbyRetryMs ?? 1_000,
      publish: {
        streamName: options.streamName ?? DEFAULT_STREAM_NAME,
        subjectPrefix: options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX,
        timeoutMs: options.publishTimeoutMs ?? 5_000,
      },
    };
    this.publisher = new JetStreamPublisher(options.nc, this.settings.publish);
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Finishes the batch in flight, releases the lock and closes the connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.sleepers.forEach((wake) => wake());
    this.wake.notify();
    await this.running;
    this.publisher.close();
  }

  /** Look for new events now (e.g. from PostgresEventStore.onCommitted in the same process). */
  wakeUp(): void {
    this.wake.notify();
  }

  stats(): OutboxRelayStats {
    const since = this.oldestUnconfirmed;
    return { ...this.state, lagSeconds: since ? Math.max(0, (Date.now() - since.getTime()) / 1000) : 0 };
  }

  private async run(): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (!this.stopping) {
      const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: 'ipledger-relay' });
      client.on('error', (error) => {
        this.report(error);
        this.wake.notify();
      });
      try {
        await client.connect();
        await this.session(client);
        backoff = MIN_BACKOFF_MS;
      } catch (error) {
        this.report(error);
      } finally {
        this.state.active = false;
        this.oldestUnconfirmed = null;
        await client.end().catch(() => undefined);
      }
      if (!this.stopping) {
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async session(client: pg.Client): Promise<void> {
    // Checkpoints may be lost in a crash: a republish is dropped as a duplicate, so no need to wait for fsync.
    await client.query(`SET synchronous_commit TO off`);
    if (!(await this.acquireLock(client))) {
      return;
    }
    this.state.active = true;
    client.on('notification', () => this.wake.notify());
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    const checkpoint = await this.resumePoint(client, await loadCheckpoint(client, this.settings.name));
    this.state.checkpoint = checkpoint;
    await this.pump(client, checkpoint);
  }

  private async acquireLock(client: pg.Client): Promise<boolean> {
    while (!this.stopping) {
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [`ipledger-outbox-relay:${this.settings.name}`],
      );
      if (rows[0]?.locked) {
        return true;
      }
      await this.sleep(this.settings.standbyRetryMs);
    }
    return false;
  }

  private async resumePoint(client: pg.Client, saved: OutboxCheckpoint): Promise<OutboxCheckpoint> {
    const { jsm } = this.options;
    if (!jsm || this.options.resumeFromStream === false) {
      return saved;
    }
    const inStream = await lastPublishedCheckpoint(jsm, this.settings.publish.streamName);
    if (!inStream || compareCheckpoints(inStream, saved) <= 0) {
      return saved;
    }
    await saveCheckpoint(client, this.settings.name, inStream);
    return inStream;
  }

  /**
   * Read, publish, checkpoint, repeat. When a round has published all it could read, the checkpoint is saved
   * in the same statement that looks for events held back behind the horizon (one round trip for both).
   */
  private async pump(client: pg.Client, from: OutboxCheckpoint): Promise<void> {
    let checkpoint = from;
    let backoff = MIN_BACKOFF_MS;
    let horizonWait = MIN_HORIZON_WAIT_MS;
    while (!this.stopping) {
      const batch = await readOutbox(client, checkpoint, this.settings.batchSize);
      let published: Published | null = null;
      if (batch.length > 0) {
        const outcome = await this.publish(batch);
        published = outcome.published;
        checkpoint = published?.checkpoint ?? checkpoint;
        if (outcome.error || batch.length === this.settings.batchSize) {
          if (published) {
            await saveCheckpoint(client, this.settings.name, checkpoint);
            this.confirmed(published);
          }
          if (outcome.error) {
            this.report(outcome.error);
            await this.sleep(backoff);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          }
          continue;
        }
        backoff = MIN_BACKOFF_MS;
      }
      // Events held back by an older transaction become readable when it ends, which may notify nobody: look
      // again soon. They count in the lag, so that a transaction left open shows up there.
      this.oldestUnconfirmed = published
        ? await saveCheckpointThenLookBeyond(client, this.settings.name, checkpoint)
        : await firstEventBeyondHorizon(client, checkpoint);
      if (published) {
        this.confirmed(published);
      }
      if (this.oldestUnconfirmed) {
        await this.wake.wait(horizonWait);
        horizonWait = Math.min(horizonWait * 2, this.settings.pollIntervalMs);
      } else {
        horizonWait = MIN_HORIZON_WAIT_MS;
        await this.wake.wait(this.settings.pollIntervalMs);
      }
    }
  }

  /** Publishes a batch; what JetStream confirmed (a prefix of the batch) is for the caller to checkpoint. */
  private async publish(batch: OutboxEvent[]): Promise<{ published: Published | null; error: unknown }> {
    this.oldestUnconfirmed = batch[0].recordedAt;
    const outcome = await this.publisher.publishInOrder(batch);
    if (outcome.confirmed === 0) {
      return { published: null, error: outcome.error };
    }
    const events = batch.slice(0, outcome.confirmed);
    const published = { events, duplicates: outcome.duplicates, checkpoint: toCheckpoint(events.at(-1)!) };
    return { published, error: outcome.error };
  }

  /** After the checkpoint of what was published has been saved. */
  private confirmed({ events, duplicates, checkpoint }: Published): void {
    this.state.checkpoint = checkpoint;
    this.state.published += events.length;
    this.state.duplicates += duplicates;
    this.state.lastPublishedAt = new Date();
    this.state.lastError = null;
    this.options.onPublished?.(events);
  }

  private report(error: unknown): void {
    this.state.lastError = error instanceof Error ? error.message : String(error);
    this.options.onError?.(error);
  }

  /** A pause that stop() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}

const toCheckpoint = (event: OutboxEvent): OutboxCheckpoint => ({ txId: event.txId, position: event.position });

/** Events JetStream confirmed in one round, and the checkpoint after the last of them. */
interface Published {
  events: OutboxEvent[];
  duplicates: number;
  checkpoint: OutboxCheckpoint;
}
