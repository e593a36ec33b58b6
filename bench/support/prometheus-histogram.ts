// Reads a histogram out of Prometheus text exposition, summed over all its label sets, and estimates
// quantiles from the cumulative buckets as Prometheus' histogram_quantile does (linear within a bucket).

export interface Histogram {
  /** Upper bounds (seconds) with their cumulative counts, ascending; the last bound is +Inf. */
  buckets: { le: number; count: number }[];
  count: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;

/** The `<name>_bucket` series of `name` (any unit suffix the exporter added), summed over their labels. */
export function parseHistogram(text: string, name: string): Histogram {
  const byLe = new Map<number, number>();
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match || !match[1].startsWith(name) || !match[1].endsWith('_bucket')) {
      continue;
    }
    const le = /(?:^|,)le="([^"]+)"/.exec(match[2] ?? '')?.[1];
    if (le === undefined) {
      continue;
    }
    const bound = le === '+Inf' ? Infinity : Number(le);
    byLe.set(bound, (byLe.get(bound) ?? 0) + Number(match[3]));
  }
  const buckets = [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  return { buckets, count: buckets.at(-1)?.count ?? 0 };
}

/** `after` minus `before`: the observations made in between. */
export function histogramDelta(after: Histogram, before: Histogram): Histogram {
  const earlier = new Map(before.buckets.map((b) => [b.le, b.count]));
  const buckets = after.buckets.map((b) => ({ le: b.le, count: b.count - (earlier.get(b.le) ?? 0) }));
  return { buckets, count: buckets.at(-1)?.count ?? 0 };
}

export interface QuantileEstimate {
  /** Linear interpolation inside the bucket, in the histogram's unit. */
  value: number;
  /** The bucket the quantile falls in. */
  lower: number;
  upper: number;
}

export function quantile(histogram: Histogram, q: number): QuantileEstimate {
  if (histogram.count === 0) {
    return { value: NaN, lower: NaN, upper: NaN };
  }
  const rank = q * histogram.count;
  let lower = 0;
  let below = 0;
  for (const { le, count } of histogram.buckets) {
    if (count >= rank) {
      if (le === Infinity) {
        return { value: lower, lower, upper: Infinity };
      }
      const inBucket = count - below;
      const value = inBucket === 0 ? le : lower + ((le - lower) * (rank - below)) / inBucket;
      return { value, lower, upper: le };
    }
    lower = le;
    below = count;
  }
  return { value: lower, lower, upper: Infinity };
}

/** Share of observations at or below `bound`, exact when `bound` is a bucket boundary. */
export function shareAtOrBelow(histogram: Histogram, bound: number): number {
  const bucket = histogram.buckets.find((b) => b.le === bound);
  if (!bucket) {
    throw new Error(`no bucket boundary at ${bound}`);
  }
  return histogram.count === 0 ? NaN : bucket.count / histogram.count;
}
