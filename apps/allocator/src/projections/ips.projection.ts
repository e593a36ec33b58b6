import type { Projection, RecordedEvent } from '@ipledger/event-store';
import type { EntityManager } from 'typeorm';
import { dispatch, type EventHandlers } from './event-handlers.js';
import type { IpState } from './ip.entity.js';

const setState = (em: EntityManager, node: string, ip: string, state: IpState, at: string, cooldown?: string) =>
  em.query(`UPDATE ips SET state = $3, cooldown_until = $4, updated_at = $5 WHERE ip = $2 AND node = $1`, [
    node,
    ip,
    state,
    cooldown ?? null,
    at,
  ]);

// An address can move to another node's ENI once the cloud took it back; the newest owner wins the row.
const insertIdle = (em: EntityManager, eniId: string, ips: string[], isPrimary: boolean, at: string) =>
  em.query(
    `INSERT INTO ips (ip, node, eni_id, vswitch_id, is_primary, state, cooldown_until, updated_at)
     SELECT a.ip, e.node, e.id, e.vswitch_id, $3, 'idle', NULL, $4 FROM unnest($2::inet[]) AS a(ip), enis e
     WHERE e.id = $1
     ON CONFLICT (ip) DO UPDATE SET node = excluded.node, eni_id = excluded.eni_id, vswitch_id = excluded.vswitch_id,
       is_primary = excluded.is_primary, state = 'idle', cooldown_until = NULL, updated_at = excluded.updated_at`,
    [eniId, ips, isPrimary, at],
  );

const handlers: EventHandlers = {
  // The primary address of a shared ENI serves pods like the secondary ones, once the ENI is attached.
  EniAttached: async (em, d) => {
    const [eni] = await em.query<{ ip: string }[]>(`SELECT host(primary_ip) AS ip FROM enis WHERE id = $1`, [d.eniId]);
    if (eni) {
      await insertIdle(em, d.eniId, [eni.ip], true, d.at);
    }
  },
  IpsAssigned: (em, d) => insertIdle(em, d.eniId, d.ips, false, d.at),
  IpAllocated: (em, d) => setState(em, d.node, d.ip, 'allocated', d.at),
  IpReleaseRequested: (em, d) => setState(em, d.node, d.ip, 'releasing', d.at),
  IpReleased: (em, d) => setState(em, d.node, d.ip, 'cooling', d.at, d.cooldownUntil),
  IpCooldownEnded: (em, d) => setState(em, d.node, d.ip, 'idle', d.at),
  IpsUnassignRequested: (em, d) =>
    em.query(`UPDATE ips SET state = 'unassigning', updated_at = $3 WHERE node = $1 AND ip = ANY($2::inet[])`, [
      d.node,
      d.ips,
      d.at,
    ]),
  IpsUnassigned: (em, d) => em.query(`DELETE FROM ips WHERE node = $1 AND ip = ANY($2::inet[])`, [d.node, d.ips]),
  EniDetachRequested: (em, d) =>
    em.query(`UPDATE ips SET state = 'unassigning', updated_at = $2 WHERE eni_id = $1`, [d.eniId, d.at]),
  EniDeleted: (em, d) => em.query(`DELETE FROM ips WHERE eni_id = $1`, [d.eniId]),
};

/** Keeps `ips`: every address a node's ENIs hold and its state. */
export class IpsProjection implements Projection {
  readonly name = 'ips';
  readonly tables = ['ips'] as const;

  apply(em: EntityManager, event: RecordedEvent): Promise<void> {
    return dispatch(handlers, em, event);
  }
}
