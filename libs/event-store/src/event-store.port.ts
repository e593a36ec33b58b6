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

/**
 * A projection keeps one or more current-state tables; it runs inside the append's transaction. The store
 * (and a rebuild) calls it in the order of docs/event-store.md, "Projections in a batch": for each event in
 * position order, each projection in list order; only runs of consecutive calls to one projection may be
 * handed to `applyBatch` at once.
 */
export interface Projection {
  readonly name: string;
  /** Tables this projection owns; a rebuild truncates them and replays every event. */
  readonly tables: readonly string[];
  /**
   * The event types `apply` acts on, if it says so: it is then not called for the others (they must be
   * no-ops for it), which lets runs of events reach `applyBatch` past projections that ignore them.
   */
  readonly eventTypes?: ReadonlySet<string>;
  apply(em: EntityManager, event: RecordedEvent): Promise<void>;
  /**
   * Optional: the same effect on the tables as `apply` on each event in turn, in fewer statements. When a
   * projection has it, the store and a rebuild call it for every run of its events (one or more, in
   * position order) instead of `apply`.
   */
  applyBatch?(em: EntityManager, events: readonly RecordedEvent[]): Promise<void>;
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

// ---------------------------------------------------------------- additions to the first contract

/** One stream's part of an atomic multi-stream append. */
export interface StreamAppend {
  streamId: string;
  expectedVersion: ExpectedVersion;
  events: NewEvent[];
}

export interface ReadAllOptions {
  /** Exclusive; '0' (the default) reads from the first event. */
  afterPosition?: string;
  /** Default 1000. */
  limit?: number;
}

/**
 * Filters of a history query; all given ones must hold. An IP matches an event whose `data.ip` is it, whose
 * `data.ips` contains it, or an ENI whose `data.primaryIp` is it.
 */
export interface HistoryQuery {
  ip?: string;
  podUid?: string;
  podNamespace?: string;
  podName?: string;
  node?: string;
  eniId?: string;
  /** Inclusive, on `recordedAt`. */
  from?: Date;
  /** Exclusive, on `recordedAt`. */
  to?: Date;
  /** Paging: only events after this position. */
  afterPosition?: string;
  /** Default 10 000. */
  limit?: number;
}

/** What the allocator and the CLI use; PostgresEventStore implements it. */
export interface EventStore {
  append(
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: NewEvent[],
    metadata: EventMetadata,
  ): Promise<AppendResult>;
  /**
   * Several streams atomically: all appends happen, or none (ConcurrencyError names the first loser). Like
   * `append`, it may share its transaction with other callers' appends (group commit); it never shares their
   * failures.
   */
  appendMany(appends: StreamAppend[], metadata: EventMetadata): Promise<AppendResult[]>;
  readStream(streamId: string, fromVersion?: number): Promise<RecordedEvent[]>;
  /** 0 when the stream has no events. */
  streamVersion(streamId: string): Promise<number>;
  /** In position order. Not a way to tail the log: positions commit out of order (use the outbox relay). */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** In position order. */
  history(query: HistoryQuery): Promise<RecordedEvent[]>;
}

/** The LISTEN/NOTIFY channel woken after appends commit. */
export const EVENTS_CHANNEL = 'ipledger_events';
