import { describe, expect, it } from 'vitest';
import { formatMs, LatencySamples } from './latency.js';

describe('LatencySamples', () => {
  it('reports nearest-rank percentiles of what was observed', () => {
    const samples = new LatencySamples();
    for (let ms = 1; ms <= 100; ms++) {
      samples.add(101 - ms);
    }
    expect(samples.percentile(50)).toBe(50);
    expect(samples.percentile(99)).toBe(99);
    expect(samples.describe()).toBe('p50 50 ms, p99 99 ms (n = 100)');
  });

  it('says so when there is nothing to report', () => {
    expect(new LatencySamples().percentile(50)).toBeNull();
    expect(new LatencySamples().describe()).toBe('no samples');
  });
});

describe('formatMs', () => {
  it('keeps two significant figures below 100 ms', () => {
    expect(formatMs(2.345)).toBe('2.3 ms');
    expect(formatMs(147.6)).toBe('148 ms');
  });
});
