import type { MigrationInterface, QueryRunner } from 'typeorm';

// The allocator's projections: current-state tables written in the same transaction as the events
// (DESIGN.md §3). Entities in apps/allocator/src/projections describe the same tables.
export class AllocatorProjections1795243000000 implements MigrationInterface {
  name = 'AllocatorProjections1795243000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE nodes (
        name text PRIMARY KEY,
        instance_id text NOT NULL,
        instance_type text NOT NULL,
        zone text NOT NULL,
        mode text NOT NULL,
        limits jsonb NOT NULL,
        max_pods integer NOT NULL,
        registered_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE enis (
        id text PRIMARY KEY,
        node text NOT NULL,
        mac text NOT NULL,
        vswitch_id text NOT NULL,
        vswitch_cidr text NOT NULL,
        gateway text NOT NULL,
        primary_ip inet NOT NULL,
        status text NOT NULL,
        device_index integer,
        trunk boolean NOT NULL,
        security_group_ids text[] NOT NULL,
        client_token text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX enis_node_idx ON enis (node)`);
    await q.query(`
      CREATE TABLE ips (
        ip inet PRIMARY KEY,
        node text NOT NULL,
        eni_id text NOT NULL,
        vswitch_id text NOT NULL,
        is_primary boolean NOT NULL,
        state text NOT NULL,
        cooldown_until timestamptz,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ips_node_state_idx ON ips (node, state)`);
    await q.query(`CREATE INDEX ips_eni_idx ON ips (eni_id)`);
    await q.query(`
      CREATE TABLE allocations (
        id uuid PRIMARY KEY,
        node text NOT NULL,
        ip inet NOT NULL,
        eni_id text NOT NULL,
        pod_namespace text NOT NULL,
        pod_name text NOT NULL,
        pod_uid text NOT NULL,
        container_id text NOT NULL,
        owner_kind text,
        owner_name text,
        owner_uid text,
        idempotency_key text NOT NULL,
        allocated_at timestamptz NOT NULL,
        release_requested_at timestamptz,
        teardown_confirmed_at timestamptz,
        released_at timestamptz,
        release_reason text,
        cooldown_until timestamptz
      )`);
    // The last line of defence: no IP, and no (pod, container), is active twice, whatever raced.
    await q.query(`CREATE UNIQUE INDEX allocations_active_ip_key ON allocations (ip) WHERE released_at IS NULL`);
    await q.query(
      `CREATE UNIQUE INDEX allocations_active_pod_key ON allocations (pod_uid, container_id) WHERE released_at IS NULL`,
    );
    await q.query(`CREATE INDEX allocations_node_idx ON allocations (node)`);
    await q.query(`CREATE INDEX allocations_pod_name_idx ON allocations (pod_namespace, pod_name)`);
    await q.query(`
      CREATE TABLE vswitches (
        id text PRIMARY KEY,
        zone text NOT NULL,
        cidr text,
        available_ip_count integer,
        observed_at timestamptz,
        blocked_until timestamptz,
        blocked_reason text,
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE vswitches`);
    await q.query(`DROP TABLE allocations`);
    await q.query(`DROP TABLE ips`);
    await q.query(`DROP TABLE enis`);
    await q.query(`DROP TABLE nodes`);
  }
}
