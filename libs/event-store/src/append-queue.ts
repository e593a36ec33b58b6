import type { AppendMember } from './append.statement.js';
import type { AppendResult } from './event-store.port.js';

/** An append waiting for (or riding in) a group commit. */
export interface QueuedAppend extends AppendMember {
  readonly streams: readonly string[];
  resolve(results: AppendResult[]): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions {
  /** Most streams one transaction carries (a single larger append still goes, alone). Default 128. */
  maxBatchStreams?: number;
  /**
   * Write transactions in flight at once. Default 2: one open transaction (a slow projection, a row lock held
   * by another replica) must not stall every other append of the process.
   */
  maxInFlight?: number;
  /**
   * A transaction beyond the first starts only once those in flight have run this long. Default 20 ms: under
   * load, waiting for the one in flight makes larger batches (less work per append) and one slow transaction
   * still cannot hold the others up for longer than this.
   */
  overlapAfterMs?: number;
}

export const DEFAULT_MAX_BATCH_STREAMS = 128;
export const DEFAULT_MAX_IN_FLIGHT = 2;
export const DEFAULT_OVERLAP_AFTER_MS = 20;

/**
 * Group commit: appends that arrive while a write transaction is in flight wait here and go together in the
 * next transaction. With nothing in flight a transaction starts at once (after the current microtask queue,
 * so appends made in one go share it). A second one may overlap the first only once that has run
 * `overlapAfterMs`, so a slow transaction holds the others up no longer than that.
 *
 * A stream is in at most one transaction at a time: an append to a stream that a transaction in flight (or an
 * earlier append in this batch) carries waits for the next one, so its version is only compared after the
 * previous one committed (the outbox's xid order depends on it, see docs/event-store.md). Appends to one
 * stream leave in the order they came.
 */
export class AppendQueue {
  private waiting: QueuedAppend[] = [];
  private readonly busyStreams = new Set<string>();
  /** The batches in flight and when each started. */
  private readonly inFlight = new Map<QueuedAppend[], number>();
  private scheduled = false;
  private overlapTimer: NodeJS.Timeout | null = null;
  private idleWaiters: (() => void)[] = [];
  private readonly maxBatchStreams: number;
  private readonly maxInFlight: number;
  private readonly overlapAfterMs: number;

  constructor(
    /** Runs one transaction for the batch and settles every member; must not reject. */
    private readonly flush: (batch: QueuedAppend[]) => Promise<void>,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatchStreams = Math.max(1, options.maxBatchStreams ?? DEFAULT_MAX_BATCH_STREAMS);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.overlapAfterMs = Math.max(0, options.overlapAfterMs ?? DEFAULT_OVERLAP_AFTER_MS);
  }

  submit(member: AppendMember): Promise<AppendResult[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...member, streams: member.appends.map((a) => a.streamId), resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once nothing waits and no transaction is in flight. */
  settled(): Promise<void> {
    if (this.inFlight.size === 0 && this.waiting.length === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled) {
      return;
    }
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight.size < this.maxInFlight && this.waiting.length > 0) {
      const wait = this.overlapWait();
      if (wait > 0) {
        this.overlapTimer ??= setTimeout(() => {
          this.overlapTimer = null;
          this.pump();
        }, wait).unref();
        break;
      }
      const batch = this.takeBatch();
      if (batch.length === 0) {
        break;
      }
      this.start(batch);
    }
    if (this.inFlight.size === 0 && this.waiting.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  }

  /** Milliseconds until another transaction may join those in flight (0: now). */
  private overlapWait(): number {
    if (this.inFlight.size === 0) {
      return 0;
    }
    const youngest = Math.max(...this.inFlight.values());
    return Math.max(0, youngest + this.overlapAfterMs - performance.now());
  }

  private start(batch: QueuedAppend[]): void {
    this.inFlight.set(batch, performance.now());
    const streams = batch.flatMap((m) => m.streams);
    streams.forEach((s) => this.busyStreams.add(s));
    void this.flush(batch)
      .catch((error: unknown) => batch.forEach((m) => m.reject(error)))
      .finally(() => {
        this.inFlight.delete(batch);
        streams.forEach((s) => this.busyStreams.delete(s));
        this.pump();
      });
  }

  /** The oldest waiting appends that fit, skipping (and keeping the order of) those on a busy stream. */
  private takeBatch(): QueuedAppend[] {
    const batch: QueuedAppend[] = [];
    const rest: QueuedAppend[] = [];
    const blocked = new Set(this.busyStreams);
    let streams = 0;
    for (const member of this.waiting) {
      const free = member.streams.every((s) => !blocked.has(s));
      const fits = batch.length === 0 || streams + member.streams.length <= this.maxBatchStreams;
      if (free && fits) {
        batch.push(member);
        streams += member.streams.length;
      } else {
        rest.push(member);
      }
      // Taken or not, later appends to these streams must not overtake this one.
      member.streams.forEach((s) => blocked.add(s));
    }
    this.waiting = rest;
    return batch;
  }
}
