import type { EventMetadata, RecordedEvent } from './event-store.port.js';

/** The columns every read selects, in the shape `toRecordedEvent` expects. */
export const EVENT_COLUMNS = 'position, id, stream_id, stream_version, type, data, metadata, recorded_at';

export interface EventRow {
  position: string;
  id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    position: row.position,
    id: row.id,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}
