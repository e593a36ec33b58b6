import { invalidArgument } from '@ipledger/domain';
import type { EventMetadata, NewEvent } from './event-store.port.js';

/** One stream's append once 'any' has been resolved to the version seen. */
export interface ExactAppend {
  streamId: string;
  expectedVersion: number;
  events: NewEvent[];
}

// One statement, one round trip, for the whole append: the compare-and-swap on every stream's row in
// `streams`, then the events. Being one statement matters for the outbox (docs/event-store.md): the
// transaction's xid is assigned by the first write of this statement, i.e. after its snapshot saw the previous
// stream version committed, so a later version of a stream always carries a larger xid. Should any stream's
// CAS miss, `won` falls short and no event is inserted; the caller then rolls back and reports the conflict.
/** Versioned: a changed text under the same name would clash with statements prepared by older code. */
export const APPEND_STATEMENT_NAME = 'ipledger_append_v1';

export const APPEND_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS s(stream_id text, expected integer, next integer)
),
bumped AS (
  UPDATE streams AS st SET version = i.next
  FROM input AS i
  WHERE st.stream_id = i.stream_id AND i.expected > 0 AND st.version = i.expected
  RETURNING st.stream_id
),
created AS (
  INSERT INTO streams (stream_id, version)
  SELECT stream_id, next FROM input WHERE expected = 0
  ON CONFLICT (stream_id) DO NOTHING
  RETURNING stream_id
),
won AS (
  SELECT (SELECT count(*) FROM bumped) + (SELECT count(*) FROM created) AS n
)
INSERT INTO events (id, stream_id, stream_version, type, data, metadata)
SELECT e.id, e.stream_id, e.stream_version, e.type, e.data, $3::jsonb
FROM ROWS FROM (
  jsonb_to_recordset($2::jsonb) AS (id uuid, stream_id text, stream_version integer, type text, data jsonb)
) WITH ORDINALITY AS e(id, stream_id, stream_version, type, data, ord)
WHERE (SELECT n FROM won) = $4
ORDER BY e.ord
RETURNING position, id, stream_id, stream_version, recorded_at`;

export interface AppendedRow {
  position: string;
  id: string;
  stream_id: string;
  stream_version: number;
  recorded_at: Date;
}

export function appendParameters(appends: readonly ExactAppend[], metadata: EventMetadata): unknown[] {
  const streams = appends.map((a) => ({
    stream_id: a.streamId,
    expected: a.expectedVersion,
    next: a.expectedVersion + a.events.length,
  }));
  const events = appends.flatMap((a) =>
    a.events.map((e, i) => ({
      id: e.id,
      stream_id: a.streamId,
      stream_version: a.expectedVersion + i + 1,
      type: e.type,
      data: e.data ?? null,
    })),
  );
  return [JSON.stringify(streams), JSON.stringify(events), JSON.stringify(metadata), appends.length];
}

export function validateAppends(appends: readonly { streamId: string; events: NewEvent[] }[]): void {
  if (appends.length === 0) {
    throw invalidArgument('appends', 'nothing to append');
  }
  const seen = new Set<string>();
  for (const a of appends) {
    if (!a.streamId) {
      throw invalidArgument('streamId', 'must not be empty');
    }
    if (seen.has(a.streamId)) {
      throw invalidArgument('streamId', `${a.streamId} appears twice in one append`);
    }
    seen.add(a.streamId);
    if (a.events.length === 0) {
      throw invalidArgument('events', `no events for stream ${a.streamId}`);
    }
    for (const e of a.events) {
      if (!e.id || !e.type) {
        throw invalidArgument('events', 'every event needs an id and a type');
      }
    }
  }
}
