import type { MigrationInterface, QueryRunner } from 'typeorm';

// The cloud API token buckets shared by every allocator replica (docs/cloud.md, "Rate limiting"): one row
// per API, refilled lazily by whoever takes the next token. Not ledger data: losing a row only refills that
// bucket. apps/allocator's CloudRateBucketEntity describes it.
export class CloudRateBuckets1795260000000 implements MigrationInterface {
  name = 'CloudRateBuckets1795260000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cloud_rate_buckets (
        api text PRIMARY KEY,
        tokens double precision NOT NULL,
        refilled_at timestamptz NOT NULL,
        per_minute integer NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cloud_rate_buckets`);
  }
}
