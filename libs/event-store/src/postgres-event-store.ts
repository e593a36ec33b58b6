import { DomainError } from '@ipledger/domain';
import type { PoolClient } from 'pg';
import { type DataSource, type EntityManager, QueryFailedError, type QueryRunner } from 'typeorm';
import {
  APPEND_SQL,
  APPEND_STATEMENT_NAME,
  type AppendedRow,
  type ExactAppend,
  appendParameters,
  validateAppends,
} from './append.statement.js';
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
  /** NOTIFY the relay after each commit (coalesced). Default true. */
  notify?: boolean;
  onNotifyError?: (error: unknown) => void;
  /** How often an append with expected version 'any' re-reads the version after losing a race. Default 20. */
  anyVersionAttempts?: number;
}

/**
 * The ledger on Postgres. An append is one transaction: the stream CAS and the events in one statement, then
 * every projection's `apply` for every event, then commit. See docs/event-store.md.
 */
export class PostgresEventStore implements EventStore {
  private readonly notifier: CommitNotifier | null;
  private readonly anyVersionAttempts: number;
  private readonly commitListeners = new Set<() => void>();

  constructor(
    private readonly ds: DataSource,
    private readonly projections: readonly Projection[],
    options: PostgresEventStoreOptions = {},
  ) {
    this.notifier = options.notify === false ? null : new CommitNotifier(ds, options.onNotifyError);
    this.anyVersionAttempts = options.anyVersionAttempts ?? 20;
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

  /** Resolves once the last post-commit notification has been sent (call before closing the DataSource). */
  async settled(): Promise<void> {
    await this.notifier?.settled();
  }

  private async appendExact(appends: ExactAppend[], metadata: EventMetadata): Promise<AppendResult[]> {
    const qr = this.ds.createQueryRunner();
    try {
      await qr.startTransaction();
      const rows = await runAppendStatement(qr, appendParameters(appends, metadata));
      if (rows.length === 0) {
        await qr.rollbackTransaction();
        throw await this.conflict(qr, appends);
      }
      const recorded = toRecorded(appends, rows, metadata);
      await this.project(qr.manager, recorded);
      await qr.commitTransaction();
      this.committed();
      return appends.map((a) => ({
        streamId: a.streamId,
        version: a.expectedVersion + a.events.length,
        events: recorded.filter((e) => e.streamId === a.streamId),
      }));
    } catch (error) {
      if (qr.isTransactionActive) {
        await qr.rollbackTransaction().catch(() => undefined);
      }
      throw isRaceLost(error) ? await this.conflict(qr, appends) : translateError(error);
    } finally {
      await qr.release();
    }
  }

  private committed(): void {
    this.notifier?.poke();
    for (const listener of this.commitListeners) {
      listener();
    }
  }

  private async project(em: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
    for (const event of events) {
      for (const projection of this.projections) {
        await projection.apply(em, event);
      }
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

  private async conflict(qr: QueryRunner, appends: ExactAppend[]): Promise<ConcurrencyError> {
    const rows = (await qr.query(`SELECT stream_id, version FROM streams WHERE stream_id = ANY($1::text[])`, [
      appends.map((a) => a.streamId),
    ])) as { stream_id: string; version: number }[];
    const actual = new Map(rows.map((r) => [r.stream_id, r.version]));
    const loser = appends.find((a) => (actual.get(a.streamId) ?? 0) !== a.expectedVersion) ?? appends[0];
    return new ConcurrencyError(loser.streamId, loser.expectedVersion, actual.get(loser.streamId) ?? 0);
  }
}

// A named statement is parsed once per connection and then only bound and run: on a busy database that
// halves the statement's cost. It goes straight to the pg client, past TypeORM's query logging.
async function runAppendStatement(qr: QueryRunner, values: unknown[]): Promise<AppendedRow[]> {
  const client = (await qr.connect()) as PoolClient;
  try {
    const result = await client.query<AppendedRow>({ name: APPEND_STATEMENT_NAME, text: APPEND_SQL, values });
    return result.rows;
  } catch (error) {
    throw new QueryFailedError(APPEND_STATEMENT_NAME, values, error as Error);
  }
}

function toRecorded(appends: ExactAppend[], rows: AppendedRow[], metadata: EventMetadata): RecordedEvent[] {
  const byId = new Map(rows.map((r) => [r.id.toLowerCase(), r]));
  return appends.flatMap((a) =>
    a.events.map((e) => {
      const row = byId.get(e.id.toLowerCase())!;
      return {
        position: row.position,
        id: row.id,
        streamId: row.stream_id,
        streamVersion: row.stream_version,
        type: e.type,
        data: e.data ?? null,
        metadata,
        recordedAt: row.recorded_at,
      };
    }),
  );
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
