// What the dev cluster started, stopped in reverse order. Each step is bounded and a failing step does not
// keep the others from running, so that one stuck piece never leaves the rest behind.

export interface TeardownStep {
  name: string;
  run: () => Promise<unknown>;
  timeoutMs: number;
}

export class Teardown {
  private readonly steps: TeardownStep[] = [];

  add(name: string, run: () => Promise<unknown>, timeoutMs = 20_000): void {
    this.steps.push({ name, run, timeoutMs });
  }

  /** Runs every step, newest first; returns a message per step that failed or timed out. */
  async run(): Promise<string[]> {
    const problems: string[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${step.timeoutMs / 1000} s`)), step.timeoutMs);
      });
      try {
        await Promise.race([step.run(), timeout]);
      } catch (error) {
        problems.push(`${step.name}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        clearTimeout(timer);
      }
    }
    return problems;
  }
}
