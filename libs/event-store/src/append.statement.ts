import { invalidArgument } from '@ipledger/domain';
import type { EventMetadata, NewEvent } from './event-store.port.js';

/** One stream's append once 'any' has been resolved to the version seen. */
export interface ExactAppend {
  streamId: string;
  expectedVersion: number;
  events: NewEvent[];
}

/** One caller's append (`append` or `appendMany`): its streams commit together or not at all. */
export interface AppendMember {
  appends: readonly ExactAppend[];
  metadata: EventMetadata;
}

// One statement, one round trip, for a whole group commit: the compare-and-swap on every stream's row in
// `streams`, then the events of every member whose streams all won. Being one statement, and the first write
// of its transaction, matters for the outbox (docs/event-store.md): the transaction's xid is assigned by the
// first write of this statement, i.e. after every member learned the version it expects from a committed
// write, so a later version of a stream always carries a larger xid. Members are judged apart: a member whose
// CAS missed inserts nothing and the others go on. The statement returns the inserted events (`kind` 'e') and
// the streams whose CAS won (`kind` 's'): a member with some streams won and others lost must roll back.
//
// The statement is sent right behind the BEGIN of its transaction, without waiting for BEGIN's answer
// (append-batch.ts). Should that BEGIN ever fail, the statement would run on its own and commit at once, without
// the projections. So the message that carries BEGIN also sets APPEND_BATCH_SETTING for the transaction, and
// `input` (which every write reads) refuses to run without it: outside that transaction the setting is unknown
// or '' and the cast to boolean fails, so nothing is written.
/** Versioned: a changed text under the same name would clash with statements prepared by older code. */
export const APPEND_STATEMENT_NAME = 'ipledger_append_v3';

/** A setting only the transaction of a group commit has (SET LOCAL), checked by the append statement. */
export const APPEND_BATCH_SETTING = 'ipledger.append_batch';

/** What starts a group commit's transaction: one simple-protocol message, so it fails or succeeds as a whole. */
export const BEGIN_APPEND_BATCH_SQL = `BEGIN; SET LOCAL ${APPEND_BATCH_SETTING} TO on`;

export const APPEND_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS s(stream_id text, expected integer, next integer, member integer)
  WHERE current_setting('${APPEND_BATCH_SETTING}')::boolean
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
  SELECT stream_id FROM bumped UNION ALL SELECT stream_id FROM created
),
winners AS (
  SELECT i.member FROM input AS i LEFT JOIN won AS w ON w.stream_id = i.stream_id
  GROUP BY i.member HAVING count(w.stream_id) = count(*)
),
inserted AS (
  INSERT INTO events (id, stream_id, stream_version, type, data, metadata)
  SELECT e.id, e.stream_id, e.stream_version, e.type, e.data, e.metadata
  FROM ROWS FROM (
    jsonb_to_recordset($2::jsonb)
      AS (id uuid, stream_id text, stream_version integer, type text, data jsonb, metadata jsonb, member integer)
  ) WITH ORDINALITY AS e(id, stream_id, stream_version, type, data, metadata, member, ord)
  WHERE e.member IN (SELECT member FROM winners)
  ORDER BY e.ord
  RETURNING position, id, stream_id, stream_version, recorded_at
)
SELECT 'e' AS kind, position, id, stream_id, stream_version, recorded_at FROM inserted
UNION ALL
SELECT 's', NULL, NULL, stream_id, NULL, NULL FROM won`;

export type AppendedRow =
  | { kind: 'e'; position: string; id: string; stream_id: string; stream_version: number; recorded_at: Date }
  | { kind: 's'; stream_id: string };

/** The statement's parameters for members in batch order (positions follow that order). */
export function appendParameters(members: readonly AppendMember[]): unknown[] {
  const streams = members.flatMap((m, member) =>
    m.appends.map((a) => ({
      stream_id: a.streamId,
      expected: a.expectedVersion,
      next: a.expectedVersion + a.events.length,
      member,
    })),
  );
  const events = members.flatMap((m, member) =>
    m.appends.flatMap((a) =>
      a.events.map((e, i) => ({
        id: e.id,
        stream_id: a.streamId,
        stream_version: a.expectedVersion + i + 1,
        type: e.type,
        data: e.data ?? null,
        metadata: m.metadata,
        member,
      })),
    ),
  );
  return [JSON.stringify(streams), JSON.stringify(events)];
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
