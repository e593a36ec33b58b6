import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { nextCooldownEnd } from '@ipledger/domain';
import type { NodeChange, NodeStateCache } from '../node-state/node-state.cache.js';

export interface CooldownSweeperOptions {
  /** How often to look in the projection for cooldowns other replicas started. Default 30 s. */
  resyncIntervalMs?: number;
  /**
   * The sweep runs this long after the earliest due time: cooldowns ending close together end in one append,
   * and an AllocateIp or ReleaseIp on the node in the meantime ends them in its own transaction. Default 50 ms.
   */
  graceMs?: number;
}

/**
 * Appends `IpCooldownEnded` when a cooldown is due: one timer, set to the earliest due time this process
 * knows of, so an address is back in the pool the moment its rest is over. Due times come from the events
 * this process folds (its own releases and what it caught up with) and, for cooldowns started by other
 * replicas, from the `ips` projection at start and then every `resyncIntervalMs`.
 */
export class CooldownSweeper {
  private readonly log = new Logger(CooldownSweeper.name);
  private readonly due = new Map<string, number>();
  /** Nodes whose due time came from the projection: other replicas' writes, which our cache may lack. */
  private readonly stale = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private resync: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private sweeping: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly cache: NodeStateCache,
    private readonly dataSource: DataSource,
    private readonly options: CooldownSweeperOptions = {},
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = this.cache.onChange((change) => this.onChange(change));
    await this.loadFromProjection();
    const every = this.options.resyncIntervalMs ?? 30_000;
    this.resync = setInterval(() => void this.loadFromProjection().catch((e) => this.warn('resync', e)), every);
    this.resync.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.resync) {
      clearInterval(this.resync);
    }
    this.clearTimer();
    await this.sweeping;
  }

  /** Due times known to this process, for tests and DescribePool-like views. */
  pending(): ReadonlyMap<string, number> {
    return this.due;
  }

  private onChange(change: NodeChange): void {
    for (const event of change.events) {
      if (event.type === 'IpReleased') {
        this.schedule(change.node, Date.parse(event.data.cooldownUntil));
      }
    }
  }

  private schedule(node: string, dueMs: number): void {
    const known = this.due.get(node);
    if (known === undefined || dueMs < known) {
      this.due.set(node, dueMs);
    }
    // Due times only move earlier here: a timer already set for this one or an earlier one stays as it is
    // (every release schedules one, so this keeps the hot path from looking at every node's due time).
    if (this.timer && dueMs >= this.timerAt) {
      return;
    }
    this.arm();
  }

  private arm(): void {
    if (this.stopped || this.due.size === 0) {
      return;
    }
    const earliest = Math.min(...this.due.values());
    if (this.timer && earliest >= this.timerAt) {
      return;
    }
    this.clearTimer();
    this.timerAt = earliest;
    const grace = this.options.graceMs ?? 50;
    this.timer = setTimeout(() => this.fire(), Math.max(0, earliest - Date.now() + grace));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.sweeping = this.sweepDue().finally(() => {
      this.sweeping = null;
      this.arm();
    });
  }

  private async sweepDue(): Promise<void> {
    // The decider compares at millisecond precision and a timer may fire a hair early.
    const now = Date.now() + 1;
    const nodes = [...this.due.entries()].filter(([, at]) => at <= now).map(([node]) => node);
    await Promise.all(nodes.map((node) => this.sweepNode(node)));
  }

  private async sweepNode(node: string): Promise<void> {
    this.due.delete(node);
    try {
      // Another replica may have released (or already ended) these cooldowns: then look at the stream first.
      if (this.stale.delete(node)) {
        await this.cache.refresh(node);
      }
      const endCooldowns = () => ({ type: 'EndCooldowns' as const, now: new Date().toISOString() });
      const result = await this.cache.execute(node, endCooldowns, { actor: 'sweeper/cooldown' });
      const next = nextCooldownEnd(result.state);
      if (next !== null) {
        this.schedule(node, next);
      }
    } catch (error) {
      this.warn(`sweep of ${node}`, error);
      this.schedule(node, Date.now() + 1_000);
    }
  }

  private async loadFromProjection(): Promise<void> {
    const rows = await this.dataSource.query<{ node: string; due: Date | null }[]>(
      `SELECT node, min(cooldown_until) AS due FROM ips WHERE state = 'cooling' GROUP BY node`,
    );
    for (const row of rows) {
      const known = this.cache.peek(row.node);
      if (!known || nextCooldownEnd(known.state) !== row.due?.getTime()) {
        this.stale.add(row.node);
      }
      this.schedule(row.node, row.due ? row.due.getTime() : Date.now());
    }
  }

  private warn(what: string, error: unknown): void {
    if (!this.stopped) {
      this.log.warn(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
