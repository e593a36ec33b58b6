// Snapshots of streams' folded state, so that a process need not fold a long stream from its first event.
// They are a cache beside the ledger: the events stay the truth, projection rebuilds never look at them, and
// a missing or unreadable snapshot only means a longer fold. See docs/event-store.md, "Snapshots".
import type { DataSource } from 'typeorm';

export interface StreamSnapshot {
  streamId: string;
  /** The stream version of the last event the state folds (> 0). */
  version: number;
  /** How `state` is encoded; owned by whoever folds the stream, and bumped when the shape changes. */
  format: number;
  /** JSON data. */
  state: unknown;
  savedAt: Date;
}

export interface SnapshotStore {
  /** The stream's newest snapshot, or null. */
  load(streamId: string): Promise<StreamSnapshot | null>;
  /** Keeps the snapshot unless the stream already has one of the same or a later version. */
  save(snapshot: Omit<StreamSnapshot, 'savedAt'>): Promise<void>;
}

interface SnapshotRow {
  stream_id: string;
  version: number;
  format: number;
  state: unknown;
  saved_at: Date;
}

export class PostgresSnapshotStore implements SnapshotStore {
  constructor(private readonly ds: DataSource) {}

  async load(streamId: string): Promise<StreamSnapshot | null> {
    const rows: SnapshotRow[] = await this.ds.query(
      `SELECT stream_id, version, format, state, saved_at FROM stream_snapshots WHERE stream_id = $1`,
      [streamId],
    );
    const row = rows[0];
    return row
      ? { streamId: row.stream_id, version: row.version, format: row.format, state: row.state, savedAt: row.saved_at }
      : null;
  }

  async save(snapshot: Omit<StreamSnapshot, 'savedAt'>): Promise<void> {
    if (!Number.isInteger(snapshot.version) || snapshot.version < 1) {
      throw new Error(`snapshot of ${snapshot.streamId}: version must be a positive integer, got ${snapshot.version}`);
    }
    // One row per stream, the newest: two savers racing (replicas, or a slow save overtaken) keep the later.
    await this.ds.query(
      `INSERT INTO stream_snapshots (stream_id, version, format, state, saved_at)
       VALUES ($1, $2, $3, $4::jsonb, now())
       ON CONFLICT (stream_id) DO UPDATE
         SET version = EXCLUDED.version, format = EXCLUDED.format, state = EXCLUDED.state, saved_at = now()
         WHERE stream_snapshots.version < EXCLUDED.version`,
      [snapshot.streamId, snapshot.version, snapshot.format, JSON.stringify(snapshot.state)],
    );
  }
}
