import type { DataSource, QueryRunner } from 'typeorm';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-rows.js';
import type { Projection } from './event-store.port.js';
import { applyProjections } from './projection-steps.js';

export interface RebuildOptions {
  /** Events read per round trip. Default 1000. */
  batchSize?: number;
}

export interface RebuildResult {
  events: number;
  tables: string[];
}

/**
 * Empties every projection's tables and replays all events in position order, in one transaction, so readers
 * see either the old tables or the rebuilt ones. Appends wait meanwhile (the lock on `streams`). Events are
 * replayed a page at a time through the projections' batch form where they have one.
 */
export async function rebuildProjections(
  ds: DataSource,
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const batchSize = options.batchSize ?? 1000;
  const tables = [...new Set(projections.flatMap((p) => p.tables))];
  const qr = ds.createQueryRunner();
  try {
    await qr.startTransaction();
    await qr.query(`LOCK TABLE streams IN EXCLUSIVE MODE`);
    if (tables.length > 0) {
      await qr.query(`TRUNCATE ${tables.map(quoteTableName).join(', ')} RESTART IDENTITY`);
    }
    const events = await replayAll(qr, projections, batchSize);
    await qr.commitTransaction();
    return { events, tables };
  } catch (error) {
    if (qr.isTransactionActive) {
      await qr.rollbackTransaction().catch(() => undefined);
    }
    throw error;
  } finally {
    await qr.release();
  }
}

async function replayAll(qr: QueryRunner, projections: readonly Projection[], batchSize: number): Promise<number> {
  let after = '0';
  let events = 0;
  for (;;) {
    const rows = (await qr.query(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position > $1::bigint ORDER BY position LIMIT $2`,
      [after, batchSize],
    )) as EventRow[];
    // The same order of calls as the live appends made (projection-steps.ts), batched the same way.
    await applyProjections(qr.manager, projections, rows.map(toRecordedEvent));
    after = rows.at(-1)?.position ?? after;
    events += rows.length;
    if (rows.length < batchSize) {
      return events;
    }
  }
}

/** `schema.table` or `table`, each part quoted as an identifier. */
export function quoteTableName(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');
}
