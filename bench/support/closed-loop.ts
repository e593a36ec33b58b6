// A closed-loop load: `concurrency` workers, each starting its next operation as soon as its last one
// ended, until the time is up. Each worker's operation is its own in-flight call, so the concurrency is real.
import { elapsedMs } from './stats.js';

export interface LoopResult {
  /** From the start until the last worker finished its last operation. */
  elapsedMs: number;
  completed: number;
  /** Failures by message (first 120 characters). */
  errors: Map<string, number>;
}

export async function closedLoop(
  concurrency: number,
  durationMs: number,
  operation: (worker: number) => Promise<void>,
  options: { maxErrors?: number } = {},
): Promise<LoopResult> {
  const maxErrors = options.maxErrors ?? 200;
  const errors = new Map<string, number>();
  let completed = 0;
  let failed = 0;
  const start = process.hrtime.bigint();
  const deadline = Date.now() + durationMs;
  const worker = async (id: number) => {
    while (Date.now() < deadline && failed < maxErrors) {
      try {
        await operation(id);
        completed += 1;
      } catch (error) {
        failed += 1;
        const key = (error instanceof Error ? error.message : String(error)).slice(0, 120);
        errors.set(key, (errors.get(key) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, id) => worker(id)));
  return { elapsedMs: elapsedMs(start), completed, errors };
}

export function errorText(errors: Map<string, number>): string {
  return [...errors].map(([message, count]) => `${count} × ${message}`).join('; ');
}
