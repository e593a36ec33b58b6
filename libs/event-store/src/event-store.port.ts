// The contract of the ledger's storage. Events are appended to a stream with the stream version the writer
// last saw; projections (current-state tables) are written in the same transaction; the table of events is
// itself the outbox that the relay publishes to JetStream in commit order.
import type { EntityManager } from 'typeorm';
import { DomainError } from '@ipledger/domain';

export interface EventMetadata {
  /** W3C traceparent of the request that caused the event. */
  traceparent?: string;
  causationId?: string;
  correlationId?: string;
  /** Who acted: `allocator/<replica>`, `node/<name>`, `operator/<user>`, `sweeper/<name>`. */
  actor: string;
}

export interface NewEvent {
  /** Minted by the caller (uuid v4/v7), also used as the JetStream Nats-Msg-Id. */
  id: string;
  type: string;
  data: unknown;
}

export interface RecordedEvent<T extends string = string, D = unknown> {
  /** Global position (bigint as a decimal string: positions outgrow Number). */
  position: string;
  id: string;
  streamId: string;
  /** 1 for the first event of a stream. */
  streamVersion: number;
  type: T;
  data: D;
  metadata: EventMetadata;
  recordedAt: Date;
}

/** No stream yet: 0. Otherwise the version of the last event the writer saw. */
export type ExpectedVersion = number | 'any';

export interface AppendResult {
  streamId: string;
  /** The stream's version after the append. */
  version: number;
  events: RecordedEvent[];
}

/** A projection keeps one or more current-state tables; `apply` runs inside the append's transaction. */
export interface Projection {
  readonly name: string;
  /** Tables this projection owns; a rebuild truncates them and replays every event. */
  readonly tables: readonly string[];
  apply(em: EntityManager, event: RecordedEvent): Promise<void>;
}

export class ConcurrencyError extends DomainError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super('conflict', `stream ${streamId}: expected version ${String(expected)}, found ${actual}`, {
      reason: 'stream-version-conflict',
    });
  }
}
