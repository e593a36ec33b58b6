import type { LedgerEvent, LedgerEventType } from '@ipledger/domain';
import type { RecordedEvent } from '@ipledger/event-store';
import type { EntityManager } from 'typeorm';

type DataOf<K extends LedgerEventType> = Extract<LedgerEvent, { type: K }>['data'];

/** The events one projection cares about; every other event passes it by. */
export type EventHandlers = {
  [K in LedgerEventType]?: (em: EntityManager, data: DataOf<K>, event: RecordedEvent) => Promise<unknown>;
};

type AnyHandler = (em: EntityManager, data: unknown, event: RecordedEvent) => Promise<unknown>;

export async function dispatch(handlers: EventHandlers, em: EntityManager, event: RecordedEvent): Promise<void> {
  const handler = handlers[event.type as LedgerEventType] as AnyHandler | undefined;
  if (handler) {
    await handler(em, event.data, event);
  }
}

/** The event types a projection's handlers act on (its `eventTypes`). */
export function handledTypes(handlers: EventHandlers): ReadonlySet<string> {
  return new Set(Object.keys(handlers));
}
