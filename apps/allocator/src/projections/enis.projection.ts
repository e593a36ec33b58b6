import type { Projection, RecordedEvent } from '@ipledger/event-store';
import type { EntityManager } from 'typeorm';
import { dispatch, type EventHandlers, handledTypes } from './event-handlers.js';

const setStatus = (em: EntityManager, eniId: string, status: string, at: string) =>
  em.query(`UPDATE enis SET status = $2, updated_at = $3 WHERE id = $1`, [eniId, status, at]);

const handlers: EventHandlers = {
  EniCreated: (em, d) =>
    em.query(
      `INSERT INTO enis (id, node, mac, vswitch_id, vswitch_cidr, gateway, primary_ip, status, device_index, trunk,
         security_group_ids, client_token, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'Available', NULL, $8, $9, $10, $11, $11)`,
      [
        d.eniId,
        d.node,
        d.mac,
        d.vswitch.id,
        d.vswitch.cidr,
        d.vswitch.gateway,
        d.primaryIp,
        d.trunk,
        d.securityGroupIds,
        d.clientToken,
        d.at,
      ],
    ),
  EniAttachRequested: (em, d) => setStatus(em, d.eniId, 'Attaching', d.at),
  EniAttached: (em, d) =>
    em.query(`UPDATE enis SET status = 'InUse', mac = $2, device_index = $3, updated_at = $4 WHERE id = $1`, [
      d.eniId,
      d.mac,
      d.deviceIndex,
      d.at,
    ]),
  EniDetachRequested: (em, d) => setStatus(em, d.eniId, 'Detaching', d.at),
  EniDetached: (em, d) =>
    em.query(`UPDATE enis SET status = 'Available', device_index = NULL, updated_at = $2 WHERE id = $1`, [
      d.eniId,
      d.at,
    ]),
  EniDeleted: (em, d) => em.query(`DELETE FROM enis WHERE id = $1`, [d.eniId]),
};

/** Keeps `enis`. Runs before the addresses projection, which reads an ENI's vSwitch from it. */
export class EnisProjection implements Projection {
  readonly name = 'enis';
  readonly tables = ['enis'] as const;
  readonly eventTypes = handledTypes(handlers);

  apply(em: EntityManager, event: RecordedEvent): Promise<void> {
    return dispatch(handlers, em, event);
  }
}
