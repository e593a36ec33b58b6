import { describe, expect, it } from 'vitest';
import { histogramDelta, parseHistogram, quantile, shareAtOrBelow } from './prometheus-histogram.js';

const exposition = (ok: number[], error: number[]) => `# HELP ipledger_agent_apply_duration_seconds Time to apply
# TYPE ipledger_agent_apply_duration_seconds histogram
ipledger_agent_apply_duration_seconds_count{event_type="IpAllocated",outcome="ok"} ${ok[3]}
ipledger_agent_apply_duration_seconds_bucket{event_type="IpAllocated",outcome="ok",le="0.01"} ${ok[0]}
ipledger_agent_apply_duration_seconds_bucket{event_type="IpAllocated",outcome="ok",le="0.05"} ${ok[1]}
ipledger_agent_apply_duration_seconds_bucket{event_type="IpAllocated",outcome="ok",le="0.1"} ${ok[2]}
ipledger_agent_apply_duration_seconds_bucket{event_type="IpAllocated",outcome="ok",le="+Inf"} ${ok[3]}
ipledger_agent_apply_duration_seconds_bucket{event_type="EniAttached",outcome="error",le="0.01"} ${error[0]}
ipledger_agent_apply_duration_seconds_bucket{event_type="EniAttached",outcome="error",le="0.05"} ${error[1]}
ipledger_agent_apply_duration_seconds_bucket{event_type="EniAttached",outcome="error",le="0.1"} ${error[2]}
ipledger_agent_apply_duration_seconds_bucket{event_type="EniAttached",outcome="error",le="+Inf"} ${error[3]}
ipledger_allocate_duration_seconds_bucket{code="OK",le="0.01"} 999
`;

describe('parseHistogram', () => {
  it('sums the buckets of every label set of the named histogram only', () => {
    const h = parseHistogram(exposition([10, 80, 95, 100], [0, 0, 0, 0]), 'ipledger_agent_apply_duration');
    expect(h).toEqual({
      buckets: [
        { le: 0.01, count: 10 },
        { le: 0.05, count: 80 },
        { le: 0.1, count: 95 },
        { le: Infinity, count: 100 },
      ],
      count: 100,
    });
  });

  it('subtracts an earlier scrape', () => {
    const before = parseHistogram(exposition([1, 2, 3, 4], [0, 0, 0, 1]), 'ipledger_agent_apply_duration');
    const after = parseHistogram(exposition([11, 82, 98, 104], [0, 0, 0, 1]), 'ipledger_agent_apply_duration');
    expect(histogramDelta(after, before).buckets.map((b) => b.count)).toEqual([10, 80, 95, 100]);
  });
});

describe('quantile', () => {
  const h = parseHistogram(exposition([10, 80, 95, 100], [0, 0, 0, 0]), 'ipledger_agent_apply_duration');

  it('interpolates inside the bucket the rank falls in', () => {
    // Rank 50 of 100: 40 of the 70 observations between 10 ms and 50 ms → 10 + 40 × 40/70 ms.
    expect(quantile(h, 0.5).value).toBeCloseTo(0.01 + (0.04 * 40) / 70, 10);
    expect(quantile(h, 0.5)).toMatchObject({ lower: 0.01, upper: 0.05 });
  });

  it('cannot see past the last finite bound', () => {
    expect(quantile(h, 0.99)).toEqual({ value: 0.1, lower: 0.1, upper: Infinity });
  });

  it('gives the exact share below a bucket boundary', () => {
    expect(shareAtOrBelow(h, 0.1)).toBe(0.95);
    expect(() => shareAtOrBelow(h, 0.2)).toThrow(/no bucket boundary/);
  });
});
