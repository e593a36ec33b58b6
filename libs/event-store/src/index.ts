export * from './event-store.port.js';
export * from './data-source.js';
export * from './postgres-event-store.js';
export * from './projection-rebuild.js';
export * from './schema-sync.js';
export * from './outbox.queries.js';
export { toRecordedEvent, type EventRow, EVENT_COLUMNS } from './event-rows.js';
export {
  type GroupCommitOptions,
  DEFAULT_MAX_BATCH_STREAMS,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_OVERLAP_AFTER_MS,
} from './append-queue.js';
export { applyProjections, projectionSteps, type ProjectionStep } from './projection-steps.js';
export * from './snapshot-store.js';
export { StreamSnapshotEntity, LEDGER_ENTITIES } from './stream-snapshot.entity.js';
