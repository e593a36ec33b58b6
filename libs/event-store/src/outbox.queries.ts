import type { ClientBase } from 'pg';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-rows.js';
import type { RecordedEvent } from './event-store.port.js';

// The events table is the outbox. What the relay may read, and in which order, is subtle; docs/event-store.md
// has the long version:
//
// Positions come from a sequence, handed out when a row is inserted, not when its transaction commits. A
// transaction holding position 10 can commit after one holding 11, so a reader that saw 11 and remembered
// "everything up to 11" would never see 10. Instead the relay reads only rows written by transactions whose
// xid is below the oldest xid still running (pg_snapshot_xmin of the current snapshot): those transactions
// have all finished, so no row can appear there any more. Rows are taken in (tx_id, position) order and the
// checkpoint is that pair. Per stream the order is the stream-version order, because an append's xid is
// assigned by its CAS on `streams`, after it saw the previous version committed (append.statement.ts).

/** The relay's progress: everything at or before (txId, position) has been published. */
export interface OutboxCheckpoint {
  /** xid8 as a decimal string. */
  txId: string;
  position: string;
}

export interface OutboxEvent extends RecordedEvent {
  txId: string;
}

export const OUTBOX_START: OutboxCheckpoint = { txId: '0', position: '0' };

const READ_SQL = `
SELECT tx_id::text AS tx_id, ${EVENT_COLUMNS}
FROM events
WHERE (tx_id, position) > ($1::xid8, $2::bigint)
  AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY tx_id, position
LIMIT $3`;

/** The next committed events after the checkpoint that can no longer be preceded by another commit. */
export async function readOutbox(db: ClientBase, after: OutboxCheckpoint, limit: number): Promise<OutboxEvent[]> {
  const { rows } = await db.query<EventRow & { tx_id: string }>({
    name: 'ipledger_outbox_read_v1',
    text: READ_SQL,
    values: [after.txId, after.position, limit],
  });
  return rows.map((row) => ({ ...toRecordedEvent(row), txId: row.tx_id }));
}

/**
 * When committed events wait beyond the horizon, held back by an older transaction still running (maybe not
 * an append, maybe in another database: xids are cluster-wide), the recording time of the first of them;
 * otherwise null. They become readable the moment that transaction ends, which may notify nobody.
 */
export async function firstEventBeyondHorizon(db: ClientBase, after: OutboxCheckpoint): Promise<Date | null> {
  const { rows } = await db.query<{ recorded_at: Date }>({
    name: 'ipledger_outbox_waiting_v1',
    text: BEYOND_HORIZON_SQL,
    values: [after.txId, after.position],
  });
  return rows[0]?.recorded_at ?? null;
}

const BEYOND_HORIZON_SQL = `SELECT recorded_at FROM events
  WHERE (tx_id, position) > ($1::xid8, $2::bigint) AND tx_id >= pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY tx_id, position LIMIT 1`;

/**
 * saveCheckpoint and then firstEventBeyondHorizon from that checkpoint, in one statement (one round trip): what
 * the relay does each time it has published everything it could read.
 */
export async function saveCheckpointThenLookBeyond(
  db: ClientBase,
  name: string,
  checkpoint: OutboxCheckpoint,
): Promise<Date | null> {
  const { rows } = await db.query<{ recorded_at: Date }>({
    name: 'ipledger_outbox_save_and_wait_v1',
    // The UPDATE runs whether or not the SELECT reads its result; $1 and $2 are the checkpoint in both parts.
    text: `WITH saved AS (
        UPDATE outbox_checkpoints SET tx_id = $1::xid8, position = $2::bigint, updated_at = now() WHERE name = $3
      )
      ${BEYOND_HORIZON_SQL}`,
    values: [checkpoint.txId, checkpoint.position, name],
  });
  return rows[0]?.recorded_at ?? null;
}

export async function loadCheckpoint(db: ClientBase, name: string): Promise<OutboxCheckpoint> {
  await db.query(`INSERT INTO outbox_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);
  const { rows } = await db.query<{ tx_id: string; position: string }>(
    `SELECT tx_id::text AS tx_id, position FROM outbox_checkpoints WHERE name = $1`,
    [name],
  );
  const row = rows[0];
  return { txId: row.tx_id, position: row.position };
}

export async function saveCheckpoint(db: ClientBase, name: string, checkpoint: OutboxCheckpoint): Promise<void> {
  await db.query(
    `UPDATE outbox_checkpoints SET tx_id = $2::xid8, position = $3::bigint, updated_at = now() WHERE name = $1`,
    [name, checkpoint.txId, checkpoint.position],
  );
}

/** (txId, position) order, on decimal strings of unbounded size. */
export function compareCheckpoints(a: OutboxCheckpoint, b: OutboxCheckpoint): number {
  const tx = compareDecimal(a.txId, b.txId);
  return tx !== 0 ? tx : compareDecimal(a.position, b.position);
}

function compareDecimal(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
