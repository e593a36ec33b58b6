import type { IpAllocated } from '@ipledger/domain';
import type { Projection, RecordedEvent } from '@ipledger/event-store';
import type { EntityManager } from 'typeorm';
import { dispatch, type EventHandlers } from './event-handlers.js';

const ACTIVE = `node = $1 AND ip = $2 AND pod_uid = $3 AND container_id = $4 AND released_at IS NULL`;

// The state folds the same way: a new container of the same pod taking over the pod's address closes the
// old container's allocation. Another pod's active allocation is never closed here: the unique index refuses.
const closeTakenOver = (em: EntityManager, d: IpAllocated['data']) =>
  em.query(
    `UPDATE allocations SET released_at = $4, release_reason = 'container-replaced'
     WHERE node = $1 AND ip = $2 AND pod_uid = $3 AND released_at IS NULL`,
    [d.node, d.ip, d.pod.uid, d.at],
  );

const handlers: EventHandlers = {
  IpAllocated: async (em, d, event) => {
    await closeTakenOver(em, d);
    await em.query(
      `INSERT INTO allocations (id, node, ip, eni_id, pod_namespace, pod_name, pod_uid, container_id, owner_kind,
         owner_name, owner_uid, idempotency_key, allocated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        event.id,
        d.node,
        d.ip,
        d.eniId,
        d.pod.namespace,
        d.pod.name,
        d.pod.uid,
        d.containerId,
        d.owner?.kind ?? null,
        d.owner?.name ?? null,
        d.owner?.uid ?? null,
        d.idempotencyKey,
        d.at,
      ],
    );
  },
  IpReleaseRequested: (em, d) =>
    em.query(`UPDATE allocations SET release_requested_at = $5, release_reason = $6 WHERE ${ACTIVE}`, [
      d.node,
      d.ip,
      d.pod.uid,
      d.containerId,
      d.at,
      d.reason,
    ]),
  PodTeardownConfirmed: (em, d) =>
    em.query(`UPDATE allocations SET teardown_confirmed_at = $5 WHERE ${ACTIVE}`, [
      d.node,
      d.ip,
      d.pod.uid,
      d.containerId,
      d.at,
    ]),
  IpReleased: (em, d) =>
    em.query(`UPDATE allocations SET released_at = $5, release_reason = $6, cooldown_until = $7 WHERE ${ACTIVE}`, [
      d.node,
      d.ip,
      d.pod.uid,
      d.containerId,
      d.at,
      d.reason,
      d.cooldownUntil,
    ]),
  // The ENI took its addresses with it; the state forgets their allocations too.
  EniDeleted: (em, d) =>
    em.query(
      `UPDATE allocations SET released_at = $3, release_reason = 'eni-deleted'
       WHERE node = $1 AND eni_id = $2 AND released_at IS NULL`,
      [d.node, d.eniId, d.at],
    ),
};

/** Keeps `allocations`: one row per allocation, active until released. */
export class AllocationsProjection implements Projection {
  readonly name = 'allocations';
  readonly tables = ['allocations'] as const;

  apply(em: EntityManager, event: RecordedEvent): Promise<void> {
    return dispatch(handlers, em, event);
  }
}
