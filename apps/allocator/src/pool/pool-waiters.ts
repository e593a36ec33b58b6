/**
 * Pods waiting for an address on a node. The count is the "pods waiting" the pool planner adds to its demand;
 * `notify` is called whenever the node may have gained an allocatable address.
 *
 * A waiter remembers the node's epoch before its failed attempt and waits for a later one, so a notification
 * that lands between the attempt and the wait is not lost. Entries are kept per node (a few numbers each) so
 * that an epoch read earlier stays comparable.
 */
export class PoolWaiters {
  private readonly nodes = new Map<string, NodeWaiters>();

  epoch(node: string): number {
    return this.nodes.get(node)?.epoch ?? 0;
  }

  /** Pods waiting on the node right now. */
  count(node: string): number {
    return this.nodes.get(node)?.members ?? 0;
  }

  /** Nodes with someone waiting. */
  busyNodes(): string[] {
    return [...this.nodes.entries()].filter(([, w]) => w.members > 0).map(([node]) => node);
  }

  join(node: string): Waiter {
    const entry = this.entry(node);
    entry.members += 1;
    let left = false;
    return {
      waitForChange: (sinceEpoch, deadlineMs, signal) => this.waitForChange(entry, sinceEpoch, deadlineMs, signal),
      leave: () => {
        if (!left) {
          left = true;
          entry.members -= 1;
        }
      },
    };
  }

  notify(node: string): void {
    const entry = this.nodes.get(node);
    if (!entry) {
      return;
    }
    entry.epoch += 1;
    const wakers = entry.wakers;
    entry.wakers = new Set();
    for (const wake of wakers) {
      wake();
    }
  }

  private waitForChange(
    entry: NodeWaiters,
    sinceEpoch: number,
    deadlineMs: number,
    signal?: AbortSignal,
  ): Promise<boolean> {
    if (entry.epoch > sinceEpoch) {
      return Promise.resolve(true);
    }
    const remaining = deadlineMs - Date.now();
    if (remaining <= 0 || signal?.aborted) {
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const finish = (changed: boolean) => {
        clearTimeout(timer);
        entry.wakers.delete(wake);
        signal?.removeEventListener('abort', abort);
        resolve(changed);
      };
      const wake = () => finish(true);
      const abort = () => finish(false);
      const timer = setTimeout(abort, remaining);
      entry.wakers.add(wake);
      signal?.addEventListener('abort', abort, { once: true });
    });
  }

  private entry(node: string): NodeWaiters {
    let entry = this.nodes.get(node);
    if (!entry) {
      entry = { epoch: 0, members: 0, wakers: new Set() };
      this.nodes.set(node, entry);
    }
    return entry;
  }
}

export interface Waiter {
  /**
   * Resolves true once the node's epoch passed `sinceEpoch`, false when `deadlineMs` (epoch ms) or the
   * signal's abort came first.
   */
  waitForChange(sinceEpoch: number, deadlineMs: number, signal?: AbortSignal): Promise<boolean>;
  leave(): void;
}

interface NodeWaiters {
  epoch: number;
  members: number;
  wakers: Set<() => void>;
}
