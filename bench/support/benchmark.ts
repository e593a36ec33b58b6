// The contract between the runner and each benchmark module.
import { type TargetCheck } from './report.js';

export interface BenchContext {
  /** Progress lines for the console (stderr); not part of the report. */
  log(line: string): void;
  /** Aborted when the benchmark ran out of time: loops stop, cleanups still run. */
  signal: AbortSignal;
}

export interface BenchOutcome {
  body: string;
  targets: TargetCheck[];
}

export interface Benchmark {
  /** For `--only`, e.g. `allocator-warm-pool`. */
  name: string;
  title: string;
  timeoutMs: number;
  run(context: BenchContext): Promise<BenchOutcome>;
}

/** Thrown when a part the benchmark needs is not there (yet): the report says why instead of a figure. */
export class NotMeasured extends Error {
  override name = 'NotMeasured';
}
