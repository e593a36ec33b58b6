import type { IpAllocated } from '@ipledger/domain';
import type { Projection, RecordedEvent } from '@ipledger/event-store';
import type { EntityManager } from 'typeorm';
import { AddressWave, HOT_TYPES, type HotEvent } from './address-waves.js';
import { dispatch, type EventHandlers, handledTypes } from './event-handlers.js';
import type { IpState } from './ip.entity.js';
import { preparedQuery } from './prepared-query.js';

// `ips` (every address a node's ENIs hold, and its state) and `allocations` (one row per allocation) change
// together on the allocation hot path, so one projection keeps both and writes each event with one statement
// where it can (a data-modifying CTE per table): the append transaction is all an AllocateIp costs. A group
// commit hands it many appends' events at once: the hot ones go in waves, one statement per wave
// (address-waves.ts), usually one for the whole batch.

const ACTIVE = `node = $1 AND ip = $2 AND pod_uid = $3 AND container_id = $4 AND released_at IS NULL`;

/** The `ips` row of the event's address ($1 node, $2 ip) as a CTE. */
const ipState = (state: IpState, cooldown: string, at: string) =>
  `ip_row AS (UPDATE ips SET state = '${state}', cooldown_until = ${cooldown}, updated_at = ${at}
     WHERE node = $1 AND ip = $2 RETURNING ip)`;

// An address can move to another node's ENI once the cloud took it back; the newest owner wins the row.
const UPSERT_IDLE = `ON CONFLICT (ip) DO UPDATE SET node = excluded.node, eni_id = excluded.eni_id,
  vswitch_id = excluded.vswitch_id, is_primary = excluded.is_primary, state = 'idle', cooldown_until = NULL,
  updated_at = excluded.updated_at`;

const INSERT_ALLOCATION = `INSERT INTO allocations (id, node, ip, eni_id, pod_namespace, pod_name, pod_uid,
  container_id, owner_kind, owner_name, owner_uid, idempotency_key, allocated_at)
  VALUES ($3, $1, $2, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;

const allocationValues = (d: IpAllocated['data'], id: string) => [
  ...[d.node, d.ip, id, d.eniId, d.pod.namespace, d.pod.name, d.pod.uid, d.containerId],
  ...[d.owner?.kind ?? null, d.owner?.name ?? null, d.owner?.uid ?? null, d.idempotencyKey, d.at],
];

/**
 * The state folds a new container of the same pod taking over the pod's address by closing the old
 * container's allocation; only when the insert met an active row for the address is that done here, and
 * another pod's active allocation is never closed: the partial unique index refuses the insert.
 */
async function allocate(em: EntityManager, d: IpAllocated['data'], id: string): Promise<void> {
  const [row] = await em.query<{ inserted: number }[]>(
    `WITH allocation AS (${INSERT_ALLOCATION} ON CONFLICT (ip) WHERE released_at IS NULL DO NOTHING RETURNING id),
       ${ipState('allocated', 'NULL', '$13')}
     SELECT (SELECT count(*)::int FROM allocation) AS inserted`,
    allocationValues(d, id),
  );
  if (row?.inserted !== 1) {
    await replaceContainer(em, d, id);
  }
}

/** The insert met an active row for the address: close the same pod's old container, then insert again. */
async function replaceContainer(em: EntityManager, d: IpAllocated['data'], id: string): Promise<void> {
  await em.query(
    `UPDATE allocations SET released_at = $4, release_reason = 'container-replaced'
     WHERE node = $1 AND ip = $2 AND pod_uid = $3 AND released_at IS NULL`,
    [d.node, d.ip, d.pod.uid, d.at],
  );
  await em.query(INSERT_ALLOCATION, allocationValues(d, id));
}

// One wave: the `ips` sets, the patches of active allocations and the new allocations, each part on rows no
// other part touches. Returns the ids of the allocations inserted; the others met an active row. Versioned
// name, as the statement is prepared per connection.
const WAVE_STATEMENT = 'ipledger_address_wave_v1';
const WAVE_SQL = `
WITH ip_rows AS (
  UPDATE ips SET state = v.state, cooldown_until = v.cooldown_until, updated_at = v.at
  FROM jsonb_to_recordset($1::jsonb) AS v(node text, ip inet, state text, cooldown_until timestamptz, at timestamptz)
  WHERE ips.node = v.node AND ips.ip = v.ip
  RETURNING 1
), patched AS (
  UPDATE allocations AS a SET
    release_requested_at = CASE WHEN p.requested THEN p.release_requested_at ELSE a.release_requested_at END,
    teardown_confirmed_at = CASE WHEN p.torn_down THEN p.teardown_confirmed_at ELSE a.teardown_confirmed_at END,
    released_at = CASE WHEN p.released THEN p.released_at ELSE a.released_at END,
    cooldown_until = CASE WHEN p.released THEN p.cooldown_until ELSE a.cooldown_until END,
    release_reason = CASE WHEN p.reason_set THEN p.release_reason ELSE a.release_reason END
  FROM jsonb_to_recordset($2::jsonb) AS p(node text, ip inet, pod_uid text, container_id text,
    requested boolean, release_requested_at timestamptz, torn_down boolean, teardown_confirmed_at timestamptz,
    released boolean, released_at timestamptz, cooldown_until timestamptz, reason_set boolean, release_reason text)
  WHERE a.node = p.node AND a.ip = p.ip AND a.pod_uid = p.pod_uid AND a.container_id = p.container_id
    AND a.released_at IS NULL
  RETURNING 1
), inserted AS (
  INSERT INTO allocations (id, node, ip, eni_id, pod_namespace, pod_name, pod_uid, container_id, owner_kind,
    owner_name, owner_uid, idempotency_key, allocated_at)
  SELECT * FROM jsonb_to_recordset($3::jsonb) AS n(id uuid, node text, ip inet, eni_id text, pod_namespace text,
    pod_name text, pod_uid text, container_id text, owner_kind text, owner_name text, owner_uid text,
    idempotency_key text, allocated_at timestamptz)
  ON CONFLICT (ip) WHERE released_at IS NULL DO NOTHING
  RETURNING id
)
SELECT id FROM inserted`;

const insertRow = ({ id, data: d }: { id: string; data: IpAllocated['data'] }) => ({
  id,
  node: d.node,
  ip: d.ip,
  eni_id: d.eniId,
  pod_namespace: d.pod.namespace,
  pod_name: d.pod.name,
  pod_uid: d.pod.uid,
  container_id: d.containerId,
  owner_kind: d.owner?.kind ?? null,
  owner_name: d.owner?.name ?? null,
  owner_uid: d.owner?.uid ?? null,
  idempotency_key: d.idempotencyKey,
  allocated_at: d.at,
});

async function writeWave(em: EntityManager, wave: AddressWave): Promise<void> {
  const inserts = [...wave.inserts.values()];
  const rows = await preparedQuery<{ id: string }>(em, WAVE_STATEMENT, WAVE_SQL, [
    JSON.stringify([...wave.ips.values()]),
    JSON.stringify([...wave.patches.values()]),
    JSON.stringify(inserts.map(insertRow)),
  ]);
  const inserted = new Set(rows.map((r) => r.id.toLowerCase()));
  for (const insert of inserts) {
    if (!inserted.has(insert.id.toLowerCase())) {
      await replaceContainer(em, insert.data, insert.id);
    }
  }
}

const handlers: EventHandlers = {
  // The primary address of a shared ENI serves pods like the secondary ones, once the ENI is attached.
  EniAttached: (em, d) =>
    em.query(
      `INSERT INTO ips (ip, node, eni_id, vswitch_id, is_primary, state, cooldown_until, updated_at)
       SELECT e.primary_ip, e.node, e.id, e.vswitch_id, true, 'idle', NULL, $2 FROM enis e WHERE e.id = $1
       ${UPSERT_IDLE}`,
      [d.eniId, d.at],
    ),
  IpsAssigned: (em, d) =>
    em.query(
      `INSERT INTO ips (ip, node, eni_id, vswitch_id, is_primary, state, cooldown_until, updated_at)
       SELECT a.ip, e.node, e.id, e.vswitch_id, false, 'idle', NULL, $3 FROM unnest($2::inet[]) AS a(ip), enis e
       WHERE e.id = $1
       ${UPSERT_IDLE}`,
      [d.eniId, d.ips, d.at],
    ),
  IpAllocated: (em, d, event) => allocate(em, d, event.id),
  IpReleaseRequested: (em, d) =>
    em.query(
      `WITH allocation AS (UPDATE allocations SET release_requested_at = $5, release_reason = $6 WHERE ${ACTIVE}),
         ${ipState('releasing', 'NULL', '$5')}
       SELECT 1`,
      [d.node, d.ip, d.pod.uid, d.containerId, d.at, d.reason],
    ),
  PodTeardownConfirmed: (em, d) =>
    em.query(`UPDATE allocations SET teardown_confirmed_at = $5 WHERE ${ACTIVE}`, [
      d.node,
      d.ip,
      d.pod.uid,
      d.containerId,
      d.at,
    ]),
  IpReleased: (em, d) =>
    em.query(
      `WITH allocation AS (
         UPDATE allocations SET released_at = $5, release_reason = $6, cooldown_until = $7 WHERE ${ACTIVE}),
         ${ipState('cooling', '$7', '$5')}
       SELECT 1`,
      [d.node, d.ip, d.pod.uid, d.containerId, d.at, d.reason, d.cooldownUntil],
    ),
  IpCooldownEnded: (em, d) =>
    em.query(`UPDATE ips SET state = 'idle', cooldown_until = NULL, updated_at = $3 WHERE node = $1 AND ip = $2`, [
      d.node,
      d.ip,
      d.at,
    ]),
  IpsUnassignRequested: (em, d) =>
    em.query(`UPDATE ips SET state = 'unassigning', updated_at = $3 WHERE node = $1 AND ip = ANY($2::inet[])`, [
      d.node,
      d.ips,
      d.at,
    ]),
  IpsUnassigned: (em, d) => em.query(`DELETE FROM ips WHERE node = $1 AND ip = ANY($2::inet[])`, [d.node, d.ips]),
  EniDetachRequested: (em, d) =>
    em.query(`UPDATE ips SET state = 'unassigning', updated_at = $2 WHERE eni_id = $1`, [d.eniId, d.at]),
  // The ENI took its addresses with it; the state forgets their allocations too.
  EniDeleted: (em, d) =>
    em.query(
      `WITH gone AS (DELETE FROM ips WHERE eni_id = $2)
       UPDATE allocations SET released_at = $3, release_reason = 'eni-deleted'
       WHERE node = $1 AND eni_id = $2 AND released_at IS NULL`,
      [d.node, d.eniId, d.at],
    ),
};

/** Keeps `ips` and `allocations`. Runs after the enis projection, whose rows it reads for new addresses. */
export class AddressesProjection implements Projection {
  readonly name = 'addresses';
  readonly tables = ['ips', 'allocations'] as const;
  readonly eventTypes = handledTypes(handlers);

  apply(em: EntityManager, event: RecordedEvent): Promise<void> {
    return dispatch(handlers, em, event);
  }

  /**
   * Hot events in waves of one statement each; any other event on its own, in its place. Also used for a
   * single event, so that the hot path always runs the one prepared statement.
   */
  async applyBatch(em: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
    let wave = new AddressWave();
    for (const event of events) {
      if (isHot(event) && wave.add(event)) {
        continue;
      }
      if (!wave.empty) {
        await writeWave(em, wave);
        wave = new AddressWave();
      }
      if (isHot(event)) {
        wave.add(event);
      } else {
        await this.apply(em, event);
      }
    }
    if (!wave.empty) {
      await writeWave(em, wave);
    }
  }
}

const isHot = (event: RecordedEvent): event is RecordedEvent & HotEvent => HOT_TYPES.has(event.type);
