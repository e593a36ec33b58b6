import { DomainError } from '@ipledger/domain';
import { type DataSource, QueryFailedError } from 'typeorm';
import { CommitFailed, PartialWin, currentVersions, runAppendBatch } from './append-batch.js';
import { AppendQueue, type GroupCommitOptions, type QueuedAppend } from './append-queue.js';
import { type AppendMember, type ExactAppend, validateAppends } from './append.statement.js';
import { CommitNotifier } from './commit-notifier.js';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-rows.js';
import {
  type AppendResult,
  ConcurrencyError,
  type EventMetadata,
  type EventStore,
  type ExpectedVersion,
  type HistoryQuery,
  type NewEvent,
  type Projection,
  type ReadAllOptions,
  type RecordedEvent,
  type StreamAppend,
} from './event-store.port.js';
import { historyStatement } from './history.query.js';

export interface PostgresEventStoreOptions {
  /**
   * NOTIFY the relay after each commit (coalesced). Default true. A function is asked after each commit:
   * false skips that notification (e.g. while the relay in this process, woken by `onCommitted`, is the
   * active one and no other relay listens).
   */
  notify?: boolean | (() => boolean);
  onNotifyError?: (error: unknown) => void;
  /** How often an append with expected version 'any' re-reads the version after losing a race. Default 20. */
  anyVersionAttempts?: number;
  /** Group commit: how many streams a transaction carries and how many transactions run at once. */
  groupCommit?: GroupCommitOptions;
}

/**
 * The ledger on Postgres. Appends are group-committed: those that arrive while the write transactions are
 * busy share the next one, which does the CAS of every stream and inserts the events in one statement, runs
 * the projections over all of them and commits once. Each append still succeeds or fails on its own. See
 * docs/event-store.md.
 */
export class PostgresEventStore implements EventStore {
  private readonly notifier: CommitNotifier | null;
  private readonly shouldNotify: () => boolean;
  private readonly anyVersionAttempts: number;
  private readonly commitListeners = new Set<() => void>();
  private readonly queue: AppendQueue;

  constructor(
    private readonly ds: DataSource,
    private readonly projections: readonly Projection[],
    options: PostgresEventStoreOptions = {},
  ) {
    this.notifier = options.notify === false ? null : new CommitNotifier(ds, options.onNotifyError);
    this.shouldNotify = typeof options.notify === 'function' ? options.notify : () => true;
    this.anyVersionAttempts = options.anyVersionAttempts ?? 20;
    this.queue = new AppendQueue((batch) => this.flush(batch), options.groupCommit);
  }

  async append(
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: NewEvent[],
    metadata: EventMetadata,
  ): Promise<AppendResult> {
    const [result] = await this.appendMany([{ streamId, expectedVersion, events }], metadata);
    return result;
  }

  async appendMany(appends: StreamAppend[], metadata: EventMetadata): Promise<AppendResult[]> {
    validateAppends(appends);
    const anyStreams = new Set(appends.filter((a) => a.expectedVersion === 'any').map((a) => a.streamId));
    if (anyStreams.size === 0) {
      return this.appendExact(appends as ExactAppend[], metadata);
    }
    // 'any' cannot be a blind `version = version + n`: that write would take its xid before waiting for the
    // row lock, breaking the per-stream xid order the relay relies on. Read, then CAS, and retry on a loss.
    for (let attempt = 1; ; attempt++) {
      const exact = await this.resolveAny(appends);
      try {
        return await this.appendExact(exact, metadata);
      } catch (error) {
        const retry =
          error instanceof ConcurrencyError && anyStreams.has(error.streamId) && attempt < this.anyVersionAttempts;
        if (!retry) {
          throw error;
        }
      }
    }
  }

  async readStream(streamId: string, fromVersion = 1): Promise<RecordedEvent[]> {
    const rows = await this.ds.query<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version`,
      [streamId, fromVersion],
    );
    return rows.map(toRecordedEvent);
  }

  async streamVersion(streamId: string): Promise<number> {
    const rows = await this.ds.query<{ version: number }[]>(`SELECT version FROM streams WHERE stream_id = $1`, [
      streamId,
    ]);
    return rows[0]?.version ?? 0;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const rows = await this.ds.query<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position > $1::bigint ORDER BY position LIMIT $2`,
      [options.afterPosition ?? '0', options.limit ?? 1000],
    );
    return rows.map(toRecordedEvent);
  }

  async history(query: HistoryQuery): Promise<RecordedEvent[]> {
    const { sql, parameters } = historyStatement(query);
    const rows = await this.ds.query<EventRow[]>(sql, parameters);
    return rows.map(toRecordedEvent);
  }

  /**
   * Called after every commit, in this process. Lets a relay in the same process start at once, without the
   * round trip through NOTIFY (which still wakes relays elsewhere). Returns the unsubscribe function.
   */
  onCommitted(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Resolves once queued appends are done and the last post-commit notification has been sent. */
  async settled(): Promise<void> {
    await this.queue.settled();
    await this.notifier?.settled();
  }

  private appendExact(appends: ExactAppend[], metadata: EventMetadata): Promise<AppendResult[]> {
    return this.queue.submit({ appends, metadata });
  }

  /** One transaction for the batch; when it fails as a whole, each member again in a transaction of its own. */
  private async flush(batch: QueuedAppend[]): Promise<void> {
    try {
      const { outcomes, committed } = await runAppendBatch(this.ds, this.projections, batch);
      if (committed) {
        this.committed();
      }
      outcomes.forEach((outcome, i) =>
        'conflict' in outcome ? batch[i].reject(outcome.conflict) : batch[i].resolve(outcome.results),
      );
    } catch (error) {
      if (batch.length > 1 && !(error instanceof CommitFailed)) {
        // One member's fault (a projection, a unique index, a duplicate id, a partly won append, a deadlock):
        // alone, only the guilty one fails, with its own error.
        await Promise.all(batch.map((member) => this.flush([member])));
        return;
      }
      const failure = await this.memberError(batch[0], error instanceof CommitFailed ? error.cause : error);
      batch.forEach((member) => member.reject(failure));
    }
  }

  private async memberError(member: AppendMember, error: unknown): Promise<unknown> {
    if (error instanceof PartialWin || isRaceLost(error)) {
      const lost = error instanceof PartialWin ? error.lost : undefined;
      return this.conflict(member.appends, lost).catch(() => error);
    }
    return translateError(error);
  }

  private committed(): void {
    if (this.shouldNotify()) {
      this.notifier?.poke();
    }
    for (const listener of this.commitListeners) {
      listener();
    }
  }

  private async resolveAny(appends: StreamAppend[]): Promise<ExactAppend[]> {
    return Promise.all(
      appends.map(async (a) => ({
        ...a,
        expectedVersion: a.expectedVersion === 'any' ? await this.streamVersion(a.streamId) : a.expectedVersion,
      })),
    );
  }

  private async conflict(appends: readonly ExactAppend[], lost?: ExactAppend): Promise<ConcurrencyError> {
    const actual = await currentVersions(
      this.ds,
      appends.map((a) => a.streamId),
    );
    const loser = lost ?? appends.find((a) => (actual.get(a.streamId) ?? 0) !== a.expectedVersion) ?? appends[0];
    return new ConcurrencyError(loser.streamId, loser.expectedVersion, actual.get(loser.streamId) ?? 0);
  }
}

function driverError(error: unknown): { code?: string; constraint?: string } | null {
  return error instanceof QueryFailedError ? (error.driverError as { code?: string; constraint?: string }) : null;
}

/** A deadlock between two multi-stream appends, or a (stream, version) unique race: the caller retries. */
function isRaceLost(error: unknown): boolean {
  const pg = driverError(error);
  return pg?.code === '40P01' || pg?.constraint === 'events_stream_version_key';
}

function translateError(error: unknown): unknown {
  const pg = driverError(error);
  if (pg?.code === '23505' && pg.constraint === 'events_id_key') {
    return new DomainError('conflict', 'an event with this id was already appended', { reason: 'duplicate-event-id' });
  }
  return error;
}
