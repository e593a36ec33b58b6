import type { MigrationInterface, QueryRunner } from 'typeorm';

// The ledger's own tables (DESIGN.md §3, docs/event-store.md): the append-only `events` table, which is also
// the outbox; `streams`, one row per stream holding its version, the compare-and-swap every append goes
// through; and `outbox_checkpoints`, where each relay records how far it has published.
export class EventStore1763712000000 implements MigrationInterface {
  name = 'EventStore1763712000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id uuid NOT NULL,
        stream_id text NOT NULL,
        stream_version integer NOT NULL CHECK (stream_version > 0),
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        recorded_at timestamptz NOT NULL DEFAULT now(),
        tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT events_id_key UNIQUE (id),
        CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version)
      )`);
    // The relay reads in (tx_id, position) order below the oldest running transaction.
    await q.query(`CREATE INDEX events_outbox_idx ON events (tx_id, position)`);
    await this.createHistoryIndexes(q);
    await this.makeAppendOnly(q);

    // Updated by every append: leave room on each page so the update stays HOT (no index write).
    await q.query(`
      CREATE TABLE streams (
        stream_id text PRIMARY KEY,
        version integer NOT NULL CHECK (version > 0)
      ) WITH (fillfactor = 70)`);
    await q.query(`
      CREATE TABLE outbox_checkpoints (
        name text PRIMARY KEY,
        tx_id xid8 NOT NULL DEFAULT '0',
        position bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_checkpoints`);
    await q.query(`DROP TABLE streams`);
    await q.query(`DROP TABLE events`);
    await q.query(`DROP FUNCTION ipledger_events_append_only()`);
  }

  // History queries (by IP, pod, node, ENI, time). Partial where the key is often absent, so that events
  // without it cost no index entry.
  private async createHistoryIndexes(q: QueryRunner): Promise<void> {
    const partial = (name: string, expr: string) =>
      q.query(`CREATE INDEX ${name} ON events ((${expr})) WHERE (${expr}) IS NOT NULL`);
    await partial('events_ip_idx', `data->>'ip'`);
    await partial('events_primary_ip_idx', `data->>'primaryIp'`);
    await partial('events_eni_idx', `data->>'eniId'`);
    await partial('events_pod_uid_idx', `data->'pod'->>'uid'`);
    await partial('events_node_idx', `data->>'node'`);
    await q.query(
      `CREATE INDEX events_pod_name_idx ON events ((data->'pod'->>'namespace'), (data->'pod'->>'name'))
       WHERE (data->'pod'->>'namespace') IS NOT NULL`,
    );
    await q.query(`CREATE INDEX events_ips_idx ON events USING gin ((data->'ips')) WHERE (data->'ips') IS NOT NULL`);
    await q.query(`CREATE INDEX events_recorded_at_idx ON events (recorded_at)`);
  }

  private async makeAppendOnly(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION ipledger_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only: % rejected', TG_OP
          USING ERRCODE = 'modifying_sql_data_not_permitted';
      END
      $$`);
    await q.query(`
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION ipledger_events_append_only()`);
  }
}
