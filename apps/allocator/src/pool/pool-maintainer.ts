import { Logger } from '@nestjs/common';
import { type NodeEvent, type PoolConfig, planPool } from '@ipledger/domain';
import type { NodeChange, NodeStateCache } from '../node-state/node-state.cache.js';
import type { PoolCycle } from './pool-cycle.js';
import { type PoolFailure, toPoolFailure } from './pool-failure.js';
import type { PoolLock } from './pool-lock.js';
import type { PoolWaiters } from './pool-waiters.js';
import { reclaimDelayMs } from './reclaim-timing.js';

export interface PoolMaintainerOptions {
  /** A trigger waits this long so that a burst of waiters is planned for at once. Default 10 ms. */
  coalesceMs?: number;
  /** Every node gets a cycle this often (± 20 % jitter), whatever happened. Default 30 s. */
  tickMs?: number;
  /** When another process holds a node's lock and pods wait here, ask again after this long. Default 100 ms. */
  lockRetryMs?: number;
  /** Exponential backoff after a failed cycle: first delay and cap. Defaults 500 ms and 30 s. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

interface NodeLoop {
  running: Promise<void> | null;
  /** Triggered while a cycle ran: run again after it. */
  dirty: boolean;
  timer: NodeJS.Timeout | null;
  timerAt: number;
  failures: number;
  backoffUntil: number;
  lastFailure: PoolFailure | null;
  /** The node's idle-IP reclaim timer, while `idle_ip_reclaim_after` is set and the node is registered. */
  reclaimTimer: NodeJS.Timeout | null;
  /** The reclaim timer fired: the next cycle takes one reclaim step. */
  reclaimDue: boolean;
}

/** Events after which the pool may need calls: a new node, fewer idle addresses, more idle addresses. */
const REPLAN: ReadonlySet<NodeEvent['type']> = new Set(['NodeRegistered', 'IpAllocated', 'IpCooldownEnded']);

/** Events after which a waiting pod may find an address. */
const SUPPLY: ReadonlySet<NodeEvent['type']> = new Set([
  'IpsAssigned',
  'EniAttached',
  'IpCooldownEnded',
  'NodeRegistered',
]);

/**
 * Keeps every node's warm pool between its watermarks and serves waiting pods, one cycle per node at a time
 * in this process and, through a Postgres advisory lock held for the cycle, in the whole cluster. Cycles are
 * triggered by waiters, by an allocation that takes the pool below min_pool_size, by cooldowns ending, by
 * configuration changes, at process start (to resume sagas) and by a periodic tick; failed cycles are retried
 * with exponential backoff in the background. With `idle_ip_reclaim_after` set, each registered node also
 * has a reclaim timer (interval ± jitter) whose cycle may give one batch of idle addresses back.
 */
export class PoolMaintainer {
  private readonly log = new Logger(PoolMaintainer.name);
  private readonly loops = new Map<string, NodeLoop>();
  private tick: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = true;

  constructor(
    private readonly cache: NodeStateCache,
    private readonly cycle: PoolCycle,
    private readonly lock: PoolLock,
    private readonly waiters: PoolWaiters,
    private readonly poolConfig: () => PoolConfig,
    private readonly registeredNodes: () => Promise<string[]>,
    private readonly options: PoolMaintainerOptions = {},
  ) {}

  /**
   * Subscribes to node changes, gives every registered node a first cycle (which resumes its saga) and, with
   * idle-IP reclaim on, its reclaim timer.
   */
  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = this.cache.onChange((change) => this.onChange(change));
    const nodes = await this.registeredNodes();
    this.triggerAll(nodes);
    this.followReclaim(nodes, false);
    this.scheduleTick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.tick) {
      clearTimeout(this.tick);
    }
    for (const loop of this.loops.values()) {
      if (loop.timer) {
        clearTimeout(loop.timer);
      }
      clearReclaim(loop);
    }
    await Promise.allSettled([...this.loops.values()].flatMap((l) => (l.running ? [l.running] : [])));
    await this.lock.close();
  }

  /** Asks for a cycle of the node soon (after the coalescing delay, or when its backoff ends). */
  trigger(node: string, delayMs = this.options.coalesceMs ?? 10): void {
    if (this.stopped) {
      return;
    }
    const loop = this.loop(node);
    if (loop.running) {
      loop.dirty = true;
      return;
    }
    const at = Math.max(Date.now() + delayMs, loop.backoffUntil);
    if (loop.timer && loop.timerAt <= at) {
      return;
    }
    if (loop.timer) {
      clearTimeout(loop.timer);
    }
    loop.timerAt = at;
    loop.timer = setTimeout(() => this.run(node), Math.max(0, at - Date.now()));
  }

  /** Every node, e.g. after the eni-config changed. */
  triggerAll(nodes: readonly string[]): void {
    for (const node of nodes) {
      this.trigger(node);
    }
  }

  /** Every node the ledger knows (periodic tick); reclaim timers follow the list (nodes gone lose theirs). */
  triggerRegistered(): void {
    this.refreshRegistered(false);
  }

  /**
   * The eni-config changed: every node gets a cycle (watermarks, vSwitches), and the reclaim timers start
   * again from the new settings, so a shorter interval, or reclaim switched on or off, applies at once.
   */
  configChanged(): void {
    this.refreshRegistered(true);
  }

  /** True while this process runs a cycle of the node (and so holds its pool lock). */
  isCycling(node: string): boolean {
    return Boolean(this.loops.get(node)?.running);
  }

  /** What went wrong in this process's last cycle of the node, while it has not succeeded since. */
  lastFailure(node: string): PoolFailure | null {
    return this.loops.get(node)?.lastFailure ?? null;
  }

  /** Resolves once the node has no cycle running or scheduled here (tests, orderly shutdown). */
  async idle(node: string): Promise<void> {
    for (;;) {
      const loop = this.loops.get(node);
      if (!loop || (!loop.running && !loop.timer)) {
        return;
      }
      await (loop.running ?? new Promise((resolve) => setTimeout(resolve, Math.max(1, loop.timerAt - Date.now()))));
    }
  }

  private refreshRegistered(restartReclaim: boolean): void {
    this.registeredNodes()
      .then((nodes) => {
        this.triggerAll(nodes);
        this.followReclaim(nodes, restartReclaim);
      })
      .catch((error: unknown) => this.log.warn(`listing nodes for the pool maintainer failed: ${String(error)}`));
  }

  /**
   * One reclaim timer per registered node while `idle_ip_reclaim_after` is set; none otherwise, and none for
   * nodes no longer registered. `restart` drops the running timers first (a config change). A node that
   * registers between the listing and this call loses a fresh timer until the next tick: harmless, the
   * reclaim only waits one tick longer.
   */
  private followReclaim(nodes: readonly string[], restart: boolean): void {
    const enabled = this.poolConfig().idleIpReclaim.afterSeconds !== null;
    const registered = new Set(nodes);
    for (const [node, loop] of this.loops) {
      if (restart || !enabled || !registered.has(node)) {
        clearReclaim(loop);
      }
    }
    if (enabled) {
      for (const node of nodes) {
        this.scheduleReclaim(node);
      }
    }
  }

  /** Arms the node's reclaim timer unless it is armed: interval ± jitter, read from the config in force. */
  private scheduleReclaim(node: string): void {
    const reclaim = this.poolConfig().idleIpReclaim;
    const loop = this.loop(node);
    if (this.stopped || loop.reclaimTimer || reclaim.afterSeconds === null) {
      return;
    }
    loop.reclaimTimer = setTimeout(() => {
      loop.reclaimTimer = null;
      // The domain decides from the node's fresh state whether it has been quiet long enough (an allocation
      // or release anywhere in the cluster restarts the quiet period); the timer only paces the steps.
      loop.reclaimDue = true;
      this.trigger(node, 0);
      this.scheduleReclaim(node);
    }, reclaimDelayMs(reclaim));
    loop.reclaimTimer.unref();
  }

  private onChange(change: NodeChange): void {
    const types = new Set(change.events.map((e) => e.type));
    if (types.has('NodeRegistered')) {
      this.scheduleReclaim(change.node);
    }
    if ([...types].some((t) => SUPPLY.has(t))) {
      this.waiters.notify(change.node);
    }
    if (![...types].some((t) => REPLAN.has(t))) {
      return;
    }
    // The planner is pure and cheap: ask it here, and spend a cycle (a lock, a read) only when it wants calls.
    const demand = { waitingPods: this.waiters.count(change.node), now: new Date().toISOString() };
    if (planPool(change.state, this.poolConfig(), demand).length > 0) {
      this.trigger(change.node);
    }
  }

  private run(node: string): void {
    const loop = this.loop(node);
    loop.timer = null;
    loop.dirty = false;
    loop.running = this.runLocked(node, loop).finally(() => {
      loop.running = null;
      if (loop.dirty) {
        this.trigger(node);
      }
    });
  }

  private async runLocked(node: string, loop: NodeLoop): Promise<void> {
    // Taken whether or not the lock is: when another replica maintains the node, its own timer reclaims.
    const reclaim = loop.reclaimDue;
    loop.reclaimDue = false;
    let locked: boolean;
    try {
      locked = await this.lock.tryAcquire(node);
    } catch (error) {
      this.failed(node, loop, error);
      return;
    }
    if (!locked) {
      // Another replica maintains the node right now; our waiters need a cycle that counts them.
      if (this.waiters.count(node) > 0 || loop.dirty) {
        loop.dirty = false;
        setTimeout(() => this.trigger(node, 0), this.options.lockRetryMs ?? 100).unref();
      }
      return;
    }
    try {
      await this.cycle.run(node, { reclaim });
      loop.failures = 0;
      loop.backoffUntil = 0;
      loop.lastFailure = null;
    } catch (error) {
      this.failed(node, loop, error);
    } finally {
      await this.lock.release(node);
    }
  }

  private failed(node: string, loop: NodeLoop, error: unknown): void {
    loop.failures += 1;
    loop.lastFailure = toPoolFailure(error);
    const base = this.options.backoffBaseMs ?? 500;
    const delay = Math.min(this.options.backoffMaxMs ?? 30_000, base * 2 ** (loop.failures - 1));
    loop.backoffUntil = Date.now() + delay * (0.8 + Math.random() * 0.4);
    if (!this.stopped) {
      this.log.warn(`pool cycle of ${node} failed (${loop.lastFailure.reason}): ${loop.lastFailure.message}`);
    }
    // The maintainer keeps trying in the background, waiters or not.
    loop.dirty = true;
  }

  private scheduleTick(): void {
    const every = this.options.tickMs ?? 30_000;
    this.tick = setTimeout(
      () => {
        if (!this.stopped) {
          this.triggerRegistered();
          this.scheduleTick();
        }
      },
      every * (0.8 + Math.random() * 0.4),
    );
    this.tick.unref();
  }

  private loop(node: string): NodeLoop {
    let loop = this.loops.get(node);
    if (!loop) {
      loop = {
        ...{ running: null, dirty: false, timer: null, timerAt: 0, failures: 0, backoffUntil: 0, lastFailure: null },
        ...{ reclaimTimer: null, reclaimDue: false },
      };
      this.loops.set(node, loop);
    }
    return loop;
  }
}

function clearReclaim(loop: NodeLoop): void {
  if (loop.reclaimTimer) {
    clearTimeout(loop.reclaimTimer);
    loop.reclaimTimer = null;
  }
  loop.reclaimDue = false;
}
