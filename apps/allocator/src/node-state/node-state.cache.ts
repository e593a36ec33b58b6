import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  DomainError,
  NODE_SNAPSHOT_FORMAT,
  type NodeCommand,
  type NodeEvent,
  type NodeState,
  decideNode,
  deserializeNodeState,
  evolveNodeAll,
  initialNodeState,
  nodeStream,
  serializeNodeState,
} from '@ipledger/domain';
import {
  ConcurrencyError,
  type EventMetadata,
  type EventStore,
  type RecordedEvent,
  type SnapshotStore,
} from '@ipledger/event-store';
import { QueryFailedError } from 'typeorm';
import { KeyedMutex } from './keyed-mutex.js';

export interface NodeSnapshot {
  state: NodeState;
  /** The stream version the state folds; 0 for a node the ledger has never heard of. */
  version: number;
}

export interface NodeExecution extends NodeSnapshot {
  /** What this command appended; empty when the decider found nothing to record. */
  events: NodeEvent[];
}

/** Something changed a node's state: this process appended, or it caught up with another replica's events. */
export interface NodeChange extends NodeSnapshot {
  node: string;
  events: NodeEvent[];
}

export interface NodeStateCacheOptions {
  /** `allocator/<replica>`: recorded as the actor of every event. */
  actor: string;
  /**
   * A command that keeps losing the race gives up with `unavailable` once it has tried this long (default
   * 3 s) or this many times (default 64), whichever comes first. The budget is time, not a small count: two
   * replicas writing one node on a loaded machine each take tens of milliseconds per round, and a handful of
   * lost rounds is normal there, not a reason to fail a pod.
   */
  retryBudgetMs?: number;
  maxAttempts?: number;
  /** The pause before retrying a lost race grows from this, doubling, with jitter. Default 1 ms (cap 50 ms). */
  retryBaseMs?: number;
  /** Load nodes from snapshots and save new ones; without it every load folds the whole stream. */
  snapshots?: NodeSnapshotOptions;
}

export interface NodeSnapshotOptions {
  store: SnapshotStore;
  /** Save a snapshot once a node's version has moved this many events past its last one (> 0). */
  every: number;
  /** Where problems with snapshots are reported; default Nest's logger. */
  log?: { warn(message: string): void };
}

/**
 * Builds the command from the current state; null when there is nothing to ask. Called again on every retry.
 * Several commands are decided one after the other, each on the state the previous one's events leave, and
 * appended in one transaction.
 */
export type CommandFactory = (state: NodeState) => NodeCommand | readonly NodeCommand[] | null;

/**
 * Every node's decider state and stream version, in memory, loaded from its stream on first use. Commands for
 * one node run one at a time in this process (a per-node mutex); each one decides, appends with the version
 * it decided on, and folds the new events in. When another replica wrote first the append fails with a
 * ConcurrencyError: the state catches up from the stream and the command is decided again, a bounded number
 * of times. So the hot path is one append transaction and nothing else.
 */
export class NodeStateCache {
  private readonly entries = new Map<string, NodeSnapshot>();
  private readonly mutex = new KeyedMutex();
  private readonly listeners = new Set<(change: NodeChange) => void>();
  private readonly maxAttempts: number;
  private readonly retryBudgetMs: number;
  private readonly snapshots: Snapshots | null;

  constructor(
    private readonly store: EventStore,
    private readonly options: NodeStateCacheOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 64;
    this.retryBudgetMs = options.retryBudgetMs ?? 3_000;
    this.snapshots = options.snapshots ? new Snapshots(options.snapshots) : null;
  }

  /** Resolves once no snapshot is being saved (for shutdown and tests). */
  snapshotsSettled(): Promise<void> {
    return this.snapshots?.settled() ?? Promise.resolve();
  }

  /** Called after every change, inside the node's turn: keep listeners quick and non-throwing. */
  onChange(listener: (change: NodeChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Nodes this process has loaded. */
  knownNodes(): string[] {
    return [...this.entries.keys()];
  }

  /** The cached state without any I/O, if the node was loaded. */
  peek(node: string): NodeSnapshot | undefined {
    return this.entries.get(node);
  }

  /** The node's state, loading it on first use (no catch-up with other replicas). */
  get(node: string): Promise<NodeSnapshot> {
    const cached = this.entries.get(node);
    return cached ? Promise.resolve(cached) : this.mutex.run(node, () => this.load(node));
  }

  /** Reads what other replicas appended since this process last looked. */
  refresh(node: string): Promise<NodeSnapshot> {
    return this.mutex.run(node, () => this.catchUp(node));
  }

  execute(node: string, makeCommand: CommandFactory, metadata: Partial<EventMetadata> = {}): Promise<NodeExecution> {
    return this.mutex.run(node, async () => {
      let current = await this.load(node);
      const started = Date.now();
      for (let attempt = 1; ; attempt++) {
        const decided = await this.decide(node, current, makeCommand);
        if (decided.events.length === 0) {
          return { ...decided.snapshot, events: [] };
        }
        try {
          return await this.append(node, decided, metadata);
        } catch (error) {
          if (!isLostRace(error)) {
            throw error;
          }
          const elapsedMs = Date.now() - started;
          if (attempt >= this.maxAttempts || elapsedMs >= this.retryBudgetMs) {
            throw new DomainError(
              'unavailable',
              `node ${node}: gave up after ${attempt} conflicting writes in ${elapsedMs} ms`,
              { reason: 'write-contention' },
            );
          }
          await pause(this.options.retryBaseMs ?? 1, attempt);
          current = await this.catchUp(node);
        }
      }
    });
  }

  /**
   * A refusal may come from a stale state (another replica registered the node or freed an address): look
   * at the stream once and decide again if it moved on.
   */
  private async decide(node: string, snapshot: NodeSnapshot, makeCommand: CommandFactory): Promise<Decision> {
    try {
      return { snapshot, ...decideWith(snapshot.state, makeCommand) };
    } catch (error) {
      if (!(error instanceof DomainError)) {
        throw error;
      }
      const fresh = await this.catchUp(node);
      if (fresh.version === snapshot.version) {
        throw error;
      }
      return { snapshot: fresh, ...decideWith(fresh.state, makeCommand) };
    }
  }

  /** Appends what was decided; once it is recorded, the state the decision folded becomes the node's. */
  private async append(node: string, decided: Decision, metadata: Partial<EventMetadata>): Promise<NodeExecution> {
    const { snapshot, events, state } = decided;
    const result = await this.store.append(
      nodeStream(node),
      snapshot.version,
      events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data })),
      { actor: this.options.actor, ...metadata },
    );
    const next = { state, version: result.version };
    this.remember(node, next);
    this.emit(node, next, events);
    return { ...next, events };
  }

  private async load(node: string): Promise<NodeSnapshot> {
    const cached = this.entries.get(node);
    if (cached) {
      return cached;
    }
    const snapshot = (await this.loadFromSnapshot(node)) ?? (await this.loadFromStart(node));
    this.remember(node, snapshot);
    return snapshot;
  }

  private async loadFromStart(node: string): Promise<NodeSnapshot> {
    const recorded = await this.store.readStream(nodeStream(node));
    return fold({ state: initialNodeState(), version: 0 }, recorded);
  }

  /**
   * The node's snapshot with the events after it folded in; null (after one warning) when there is no usable
   * snapshot, so the caller folds the whole stream. Never throws: a snapshot is only a shortcut.
   */
  private async loadFromSnapshot(node: string): Promise<NodeSnapshot | null> {
    const base = await this.snapshots?.load(node);
    if (!base) {
      return null;
    }
    const tail = await this.store.readStream(nodeStream(node), base.version + 1);
    if (tail.length > 0 && tail[0].streamVersion !== base.version + 1) {
      this.snapshots?.warn(node, `the events after version ${base.version} start at ${tail[0].streamVersion}`);
      return null;
    }
    // A snapshot ahead of its stream (a restored database?) would make every append conflict: check.
    if (tail.length === 0 && (await this.store.streamVersion(nodeStream(node))) !== base.version) {
      this.snapshots?.warn(node, `its version ${base.version} is not the stream's`);
      return null;
    }
    return fold(base, tail);
  }

  /** Keeps the node's new state, and saves a snapshot in the background when one is due. */
  private remember(node: string, snapshot: NodeSnapshot): void {
    this.entries.set(node, snapshot);
    this.snapshots?.saveIfDue(node, snapshot);
  }

  private async catchUp(node: string): Promise<NodeSnapshot> {
    const cached = this.entries.get(node);
    if (!cached) {
      return this.load(node);
    }
    const recorded = await this.store.readStream(nodeStream(node), cached.version + 1);
    if (recorded.length === 0) {
      return cached;
    }
    const next = fold(cached, recorded);
    this.remember(node, next);
    this.emit(
      node,
      next,
      recorded.map((r) => asNodeEvent(r)),
    );
    return next;
  }

  private emit(node: string, snapshot: NodeSnapshot, events: NodeEvent[]): void {
    for (const listener of this.listeners) {
      listener({ node, events, ...snapshot });
    }
  }
}

/**
 * The cache's snapshots (docs/allocator.md, "Snapshots"): loaded when a node is first used, saved off the hot
 * path once its version has moved `every` events past the last one this process loaded or saved, one save
 * at a time per node. Failures are logged and otherwise ignored: the events are the truth.
 */
class Snapshots {
  /** The version of each node's newest snapshot this process knows of (loaded or saved). */
  private readonly savedAt = new Map<string, number>();
  private readonly saving = new Map<string, Promise<void>>();
  private readonly log: { warn(message: string): void };

  constructor(private readonly options: NodeSnapshotOptions) {
    if (!Number.isInteger(options.every) || options.every < 1) {
      throw new Error(`snapshots: every must be a whole number of events >= 1, got ${options.every}`);
    }
    this.log = options.log ?? new Logger(NodeStateCache.name);
  }

  /** The node's snapshot, decoded; null when there is none or it cannot be used (warned about). */
  async load(node: string): Promise<NodeSnapshot | null> {
    try {
      const stored = await this.options.store.load(nodeStream(node));
      if (!stored) {
        return null;
      }
      const state = deserializeNodeState(stored.format, stored.state);
      if (!state) {
        this.warn(node, `format ${stored.format} is not this build's (${NODE_SNAPSHOT_FORMAT})`);
        return null;
      }
      this.savedAt.set(node, stored.version);
      return { state, version: stored.version };
    } catch (error) {
      this.warn(node, messageOf(error));
      return null;
    }
  }

  warn(node: string, problem: string): void {
    this.savedAt.delete(node);
    this.log.warn(`node ${node}: snapshot not used, folding the whole stream instead: ${problem}`);
  }

  saveIfDue(node: string, current: NodeSnapshot): void {
    const due = current.version - (this.savedAt.get(node) ?? 0) >= this.options.every;
    if (!due || this.saving.has(node)) {
      return;
    }
    const saved = this.save(node, current).finally(() => this.saving.delete(node));
    this.saving.set(node, saved);
  }

  async settled(): Promise<void> {
    while (this.saving.size > 0) {
      await Promise.all(this.saving.values());
    }
  }

  private async save(node: string, current: NodeSnapshot): Promise<void> {
    // Encode after the command that made the snapshot due has answered: it must not wait for this.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      const state = serializeNodeState(current.state);
      await this.options.store.save({
        streamId: nodeStream(node),
        version: current.version,
        format: NODE_SNAPSHOT_FORMAT,
        state,
      });
      this.savedAt.set(node, Math.max(this.savedAt.get(node) ?? 0, current.version));
    } catch (error) {
      this.log.warn(`node ${node}: saving the snapshot at version ${current.version} failed: ${messageOf(error)}`);
    }
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * After a lost race the other writer usually has more to append (its queue for the node), and its cache is
 * fresh while ours must be read: a short, growing, random pause keeps us from losing every round to it.
 */
function pause(baseMs: number, attempt: number): Promise<void> {
  const ceiling = Math.min(50, baseMs * 2 ** (attempt - 1));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

const isCommandList = (made: NodeCommand | readonly NodeCommand[]): made is readonly NodeCommand[] =>
  Array.isArray(made);

/** What the commands decided, and the state those events lead to (folded once, reused after the append). */
interface Decision {
  snapshot: NodeSnapshot;
  events: NodeEvent[];
  state: NodeState;
}

function decideWith(state: NodeState, makeCommand: CommandFactory): { events: NodeEvent[]; state: NodeState } {
  const made = makeCommand(state);
  const commands: readonly NodeCommand[] = made === null ? [] : isCommandList(made) ? made : [made];
  const events: NodeEvent[] = [];
  let current = state;
  for (const command of commands) {
    const decided = decideNode(command, current);
    events.push(...decided);
    current = evolveNodeAll(current, decided);
  }
  return { events, state: current };
}

const asNodeEvent = (recorded: RecordedEvent): NodeEvent => ({ type: recorded.type, data: recorded.data }) as NodeEvent;

function fold(from: NodeSnapshot, recorded: readonly RecordedEvent[]): NodeSnapshot {
  const state = evolveNodeAll(from.state, recorded.map(asNodeEvent));
  return { state, version: recorded.at(-1)?.streamVersion ?? from.version };
}

/**
 * Another replica appended first (ConcurrencyError), or a projection's unique index refused what a stale
 * state decided (the last line of defence fired): either way, catch up and decide again.
 */
function isLostRace(error: unknown): boolean {
  if (error instanceof ConcurrencyError) {
    return true;
  }
  const pg = error instanceof QueryFailedError ? (error.driverError as { code?: string }) : null;
  return pg?.code === '23505';
}
