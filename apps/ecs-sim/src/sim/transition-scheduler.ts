interface Scheduled {
  timer: NodeJS.Timeout | null;
  release: () => void;
}

/**
 * Runs the delayed halves of asynchronous cloud operations (Attaching → InUse, Detaching → Available) and lets
 * callers wait until none is left, so tests and the admin API can observe a settled state.
 */
export class TransitionScheduler {
  private readonly running = new Map<Promise<void>, Scheduled>();
  private closed = false;

  constructor(private readonly log: (line: string) => void) {}

  after(delayMs: number, task: () => Promise<void>): void {
    if (this.closed) {
      return;
    }
    const entry: Scheduled = { timer: null, release: () => {} };
    const done = new Promise<void>((resolve) => (entry.release = resolve));
    this.running.set(done, entry);
    entry.timer = setTimeout(
      () => {
        entry.timer = null;
        task()
          .catch((error: unknown) => this.log(`transition failed: ${String(error)}`))
          .finally(() => {
            this.running.delete(done);
            entry.release();
          });
      },
      Math.max(0, delayMs),
    );
  }

  /** Resolves once every scheduled transition, including ones scheduled meanwhile, has run. */
  async settle(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.all([...this.running.keys()]);
    }
  }

  get pending(): number {
    return this.running.size;
  }

  close(): void {
    this.closed = true;
    for (const [done, entry] of this.running) {
      if (entry.timer) {
        clearTimeout(entry.timer);
        this.running.delete(done);
        entry.release();
      }
    }
  }
}
