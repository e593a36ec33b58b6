/** A level-triggered wake-up: a `notify()` while nobody waits makes the next `wait()` return at once. */
export class WakeSignal {
  private pending = false;
  private wake: (() => void) | null = null;

  notify(): void {
    if (this.wake) {
      this.wake();
    } else {
      this.pending = true;
    }
  }

  /** Resolves on the next notify, or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.wake = done;
    });
  }
}
