import type { PoolClient } from 'pg';
import { type DataSource, QueryFailedError, type QueryRunner } from 'typeorm';
import {
  APPEND_SQL,
  APPEND_STATEMENT_NAME,
  BEGIN_APPEND_BATCH_SQL,
  type AppendMember,
  type AppendedRow,
  type ExactAppend,
  appendParameters,
} from './append.statement.js';
import {
  type AppendResult,
  ConcurrencyError,
  type EventMetadata,
  type Projection,
  type RecordedEvent,
} from './event-store.port.js';
import { applyProjections } from './projection-steps.js';

/** What one member of a committed (or all-lost) batch gets. */
export type MemberOutcome = { results: AppendResult[] } | { conflict: ConcurrencyError };

/** A member had some of its streams won and others lost: the batch cannot commit as it stands. */
export class PartialWin extends Error {
  override name = 'PartialWin';
  constructor(readonly lost: ExactAppend) {
    super(`stream ${lost.streamId} lost its compare-and-swap while other streams of the same append won`);
  }
}

/** COMMIT itself failed: whether the batch committed is unknown, so it must not be run again. */
export class CommitFailed extends Error {
  override name = 'CommitFailed';
  constructor(override readonly cause: unknown) {
    super(`commit failed: ${String(cause)}`);
  }
}

/**
 * One transaction for a batch of members: BEGIN; the append statement (the CAS of every stream and the events
 * of the members that won, the transaction's first write); the projections over every recorded event, in
 * batch order; COMMIT. Members whose CAS missed are reported, with the versions found, and do not stop the
 * others. Anything else that fails (a projection, a unique index, a duplicate event id, a deadlock, a partly
 * won member) rolls the whole batch back and is thrown: the caller then runs the members one by one.
 *
 * BEGIN and the append statement go out together (pipelined), so the transaction costs three round trips, not
 * four. The connection's own pg client runs BEGIN, COMMIT and ROLLBACK; the projections write through the
 * query runner's manager, on the same connection.
 */
export async function runAppendBatch(
  ds: DataSource,
  projections: readonly Projection[],
  members: readonly AppendMember[],
): Promise<{ outcomes: MemberOutcome[]; committed: boolean }> {
  const qr = ds.createQueryRunner();
  let open = false;
  try {
    const client = (await qr.connect()) as PoolClient;
    open = true;
    const rows = await beginAndAppend(client, appendParameters(members));
    const verdict = judge(members, rows);
    const committed = verdict.recorded.length > 0;
    if (committed) {
      await applyProjections(qr.manager, projections, verdict.recorded);
      open = false;
      await client.query('COMMIT').catch((error: unknown) => Promise.reject(new CommitFailed(error)));
    } else {
      open = false;
      await client.query('ROLLBACK');
    }
    const found = verdict.losers.length > 0 ? await currentVersions(qr, verdict.losers) : new Map<string, number>();
    const outcomes = members.map((member, i): MemberOutcome => {
      const lost = verdict.lost[i];
      if (lost) {
        return { conflict: new ConcurrencyError(lost.streamId, lost.expectedVersion, found.get(lost.streamId) ?? 0) };
      }
      return { results: resultsOf(member, verdict.perMember[i]) };
    });
    return { outcomes, committed };
  } catch (error) {
    if (open) {
      await qr.query('ROLLBACK').catch(() => undefined);
    }
    throw error;
  } finally {
    await qr.release();
  }
}

/** The versions streams have now (for a ConcurrencyError's `actual`). */
export async function currentVersions(
  db: Pick<QueryRunner, 'query'> | DataSource,
  streamIds: readonly string[],
): Promise<Map<string, number>> {
  const rows = (await db.query(`SELECT stream_id, version FROM streams WHERE stream_id = ANY($1::text[])`, [
    streamIds,
  ])) as { stream_id: string; version: number }[];
  return new Map(rows.map((r) => [r.stream_id, r.version]));
}

interface Verdict {
  /** Events of the members that won, in batch order. */
  recorded: RecordedEvent[];
  /** Per member: its recorded events (none when it lost). */
  perMember: RecordedEvent[][];
  /** Per member: its first stream whose CAS missed, if it lost. */
  lost: (ExactAppend | undefined)[];
  losers: string[];
}

function judge(members: readonly AppendMember[], rows: readonly AppendedRow[]): Verdict {
  const won = new Set<string>();
  const inserted = new Map<string, Extract<AppendedRow, { kind: 'e' }>>();
  for (const row of rows) {
    if (row.kind === 's') {
      won.add(row.stream_id);
    } else {
      inserted.set(row.id.toLowerCase(), row);
    }
  }
  const verdict: Verdict = { recorded: [], perMember: [], lost: [], losers: [] };
  for (const member of members) {
    const lost = member.appends.filter((a) => !won.has(a.streamId));
    if (lost.length > 0 && lost.length < member.appends.length) {
      throw new PartialWin(lost[0]);
    }
    verdict.lost.push(lost[0]);
    if (lost.length > 0) {
      verdict.losers.push(lost[0].streamId);
      verdict.perMember.push([]);
    } else {
      const events = recordedEvents(member.appends, inserted, member.metadata);
      verdict.perMember.push(events);
      verdict.recorded.push(...events);
    }
  }
  return verdict;
}

function recordedEvents(
  appends: readonly ExactAppend[],
  inserted: ReadonlyMap<string, Extract<AppendedRow, { kind: 'e' }>>,
  metadata: EventMetadata,
): RecordedEvent[] {
  return appends.flatMap((a) =>
    a.events.map((e) => {
      const row = inserted.get(e.id.toLowerCase());
      if (!row) {
        throw new Error(`event ${e.id} of a stream that won was not inserted`);
      }
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

function resultsOf(member: AppendMember, recorded: readonly RecordedEvent[]): AppendResult[] {
  return member.appends.map((a) => ({
    streamId: a.streamId,
    version: a.expectedVersion + a.events.length,
    events: recorded.filter((e) => e.streamId === a.streamId),
  }));
}

/** pg's client in pipeline mode sends queued queries without waiting for the answer to the one before. */
type PipelinedClient = PoolClient & { pipeline: boolean };

/**
 * BEGIN and the append statement, sent together (the statement refuses to run outside that transaction, see
 * append.statement.ts). The append statement is named: Postgres parses it once per
 * connection and then only binds and runs it, which on a busy database halves its cost. It goes straight to
 * the pg client, past TypeORM's query logging. Both answers are awaited before pipeline mode is left, so
 * nothing is in flight when the client goes back to answering one query at a time.
 */
async function beginAndAppend(client: PoolClient, values: unknown[]): Promise<AppendedRow[]> {
  const pipelined = client as PipelinedClient;
  pipelined.pipeline = true;
  let settled: [PromiseSettledResult<unknown>, PromiseSettledResult<{ rows: AppendedRow[] }>];
  try {
    settled = await Promise.allSettled([
      client.query(BEGIN_APPEND_BATCH_SQL),
      client.query<AppendedRow>({ name: APPEND_STATEMENT_NAME, text: APPEND_SQL, values }),
    ]);
  } finally {
    pipelined.pipeline = false;
  }
  const [begun, appended] = settled;
  if (begun.status === 'rejected') {
    throw begun.reason;
  }
  if (appended.status === 'rejected') {
    throw new QueryFailedError(APPEND_STATEMENT_NAME, values, appended.reason as Error);
  }
  return appended.value.rows;
}
