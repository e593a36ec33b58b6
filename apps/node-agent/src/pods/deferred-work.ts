// Work a CNI answer need not wait for (deleting a released pod's devices): run in the background, tracked so
// that shutdown and tests can wait for it. A failure is only logged: the pod's record still says what is left,
// and the repair loop finishes it.
import { type Logger } from '../logging/json-logger.js';

export class DeferredWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(what: string, fields: Record<string, unknown>, work: () => Promise<void>): void {
    const task: Promise<void> = work()
      .catch((error: unknown) => this.logger.warn(`${what} failed; the repair loop finishes it`, { ...fields, error }))
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  /** Resolves once everything started so far has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.all([...this.running]);
    }
  }
}
