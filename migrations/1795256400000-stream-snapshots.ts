import type { MigrationInterface, QueryRunner } from 'typeorm';

// Snapshots of a stream's folded state (docs/event-store.md, "Snapshots"): a cache that spares a process
// from folding a long stream from its first event. At most one row per stream, the newest; the events stay
// the truth, so deleting any of these rows is harmless. libs/event-store's StreamSnapshotEntity describes it.
export class StreamSnapshots1795256400000 implements MigrationInterface {
  name = 'StreamSnapshots1795256400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stream_snapshots (
        stream_id text PRIMARY KEY,
        version integer NOT NULL,
        format integer NOT NULL,
        state jsonb NOT NULL,
        saved_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stream_snapshots`);
  }
}
