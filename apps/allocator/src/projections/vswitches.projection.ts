import type { Projection, RecordedEvent } from '@ipledger/event-store';
import type { EntityManager } from 'typeorm';
import { dispatch, type EventHandlers, handledTypes } from './event-handlers.js';

const handlers: EventHandlers = {
  VSwitchBlocked: (em, d) =>
    em.query(
      `INSERT INTO vswitches (id, zone, blocked_until, blocked_reason, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET zone = excluded.zone, blocked_until = excluded.blocked_until,
         blocked_reason = excluded.blocked_reason, updated_at = excluded.updated_at`,
      [d.vswitchId, d.zone, d.until, d.reason, d.at],
    ),
  VSwitchCapacityObserved: (em, d) =>
    em.query(
      `INSERT INTO vswitches (id, zone, cidr, available_ip_count, observed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (id) DO UPDATE SET zone = excluded.zone, cidr = excluded.cidr,
         available_ip_count = excluded.available_ip_count, observed_at = excluded.observed_at,
         updated_at = excluded.updated_at`,
      [d.vswitchId, d.zone, d.cidr, d.availableIpCount, d.at],
    ),
};

/** Keeps `vswitches`: last capacity seen and blocked-until per vSwitch. */
export class VSwitchesProjection implements Projection {
  readonly name = 'vswitches';
  readonly tables = ['vswitches'] as const;
  readonly eventTypes = handledTypes(handlers);

  apply(em: EntityManager, event: RecordedEvent): Promise<void> {
    return dispatch(handlers, em, event);
  }
}
