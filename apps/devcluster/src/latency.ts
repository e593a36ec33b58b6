// Latency samples of the run (milliseconds): nearest-rank percentiles, so that a reported p99 is a value
// that was actually observed.

export class LatencySamples {
  private readonly samples: number[] = [];

  add(ms: number): void {
    this.samples.push(ms);
  }

  get count(): number {
    return this.samples.length;
  }

  /** The p-th percentile (0 < p ≤ 100), or null without samples. */
  percentile(p: number): number | null {
    if (this.samples.length === 0) {
      return null;
    }
    const sorted = [...this.samples].sort((a, b) => a - b);
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
    return sorted[rank - 1];
  }

  /** `p50 3.1 ms, p99 41 ms (n = 16)`, or `no samples`. */
  describe(): string {
    const [p50, p99] = [this.percentile(50), this.percentile(99)];
    if (p50 === null || p99 === null) {
      return 'no samples';
    }
    return `p50 ${formatMs(p50)}, p99 ${formatMs(p99)} (n = ${this.count})`;
  }
}

/** Two significant figures below 100 ms, whole milliseconds above. */
export function formatMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${Number(ms.toPrecision(2))} ms`;
}
