// Milliseconds per step of one CNI request, for a debug log line: where an ADD or DEL spends its time.
export class StepTimer {
  private readonly start = performance.now();
  private last = this.start;
  readonly steps: Record<string, number> = {};

  /** The time since the previous mark (or the start) goes to `step`. */
  mark(step: string): void {
    const now = performance.now();
    this.steps[step] = round(now - this.last);
    this.last = now;
  }

  /** Times a step that runs beside others: its own duration, from now until it settles. */
  time<T>(step: string, work: Promise<T>): Promise<T> {
    const began = performance.now();
    return work.finally(() => {
      this.steps[step] = round(performance.now() - began);
    });
  }

  fields(): Record<string, number> {
    return { ...this.steps, totalMs: round(performance.now() - this.start) };
  }
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
