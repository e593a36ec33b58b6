import { Logger } from '@nestjs/common';
import type { NodeStateCache } from '../node-state/node-state.cache.js';
import type { PoolWaiters } from './pool-waiters.js';

/**
 * While pods wait on a node here, another replica may be the one whose maintainer fills that node's pool:
 * look at the node's stream every `intervalMs` so that its addresses reach our waiters (the catch-up
 * notifies them like our own appends do).
 */
export class WaiterFollower {
  private readonly log = new Logger(WaiterFollower.name);
  private readonly busy = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly cache: NodeStateCache,
    private readonly waiters: PoolWaiters,
    /** Nodes whose pool this process is filling right now: their new addresses reach the waiters directly. */
    private readonly fillingHere: (node: string) => boolean,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
    }
    this.timer = null;
    await Promise.allSettled(this.busy.values());
  }

  private poll(): void {
    for (const node of this.waiters.busyNodes()) {
      if (this.busy.has(node) || this.fillingHere(node)) {
        continue;
      }
      const refresh = this.cache
        .refresh(node)
        .catch((error: unknown) => this.log.warn(`catching up with ${node} failed: ${String(error)}`))
        .finally(() => this.busy.delete(node));
      this.busy.set(node, refresh);
    }
  }
}
