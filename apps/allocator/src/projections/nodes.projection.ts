import type { Projection, RecordedEvent } from '@ipledger/event-store';
import type { EntityManager } from 'typeorm';
import { dispatch, type EventHandlers, handledTypes } from './event-handlers.js';

// Projections write raw SQL: they sit on the allocation hot path, inside the append transaction, and a
// statement per event is all they may cost. The entities next to them describe the same tables for reads.
const handlers: EventHandlers = {
  NodeRegistered: (em, d) =>
    em.query(
      `INSERT INTO nodes (name, instance_id, instance_type, zone, mode, limits, max_pods, registered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (name) DO UPDATE SET instance_id = excluded.instance_id, instance_type = excluded.instance_type,
         zone = excluded.zone, mode = excluded.mode, limits = excluded.limits, max_pods = excluded.max_pods,
         registered_at = excluded.registered_at`,
      [d.node, d.instanceId, d.instanceType, d.zone, d.mode, JSON.stringify(d.limits), d.maxPods, d.at],
    ),
};

export class NodesProjection implements Projection {
  readonly name = 'nodes';
  readonly tables = ['nodes'] as const;
  readonly eventTypes = handledTypes(handlers);

  apply(em: EntityManager, event: RecordedEvent): Promise<void> {
    return dispatch(handlers, em, event);
  }
}
