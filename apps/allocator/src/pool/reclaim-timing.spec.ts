import { describe, expect, it } from 'vitest';
import { reclaimDelayMs } from './reclaim-timing.js';

describe('reclaimDelayMs', () => {
  const tenMinutes = { intervalSeconds: 600, jitterFactor: 0.1 };

  it('waits the interval itself when the random draw is in the middle', () => {
    expect(reclaimDelayMs(tenMinutes, () => 0.5)).toBe(600_000);
  });

  it('shrinks or stretches the wait by at most the jitter factor of the interval', () => {
    expect(reclaimDelayMs(tenMinutes, () => 0)).toBe(540_000);
    expect(reclaimDelayMs(tenMinutes, () => 0.999_999)).toBeCloseTo(660_000, -1);
    for (let i = 0; i < 200; i++) {
      const ms = reclaimDelayMs(tenMinutes);
      expect(ms).toBeGreaterThanOrEqual(540_000);
      expect(ms).toBeLessThan(660_000);
    }
  });

  it('waits exactly the interval with no jitter, and never less than nothing with full jitter', () => {
    expect(reclaimDelayMs({ intervalSeconds: 0.3, jitterFactor: 0 }, () => 0.9)).toBe(300);
    expect(reclaimDelayMs({ intervalSeconds: 0.3, jitterFactor: 1 }, () => 0)).toBe(0);
    expect(reclaimDelayMs({ intervalSeconds: 0.3, jitterFactor: 1 }, () => 0.75)).toBeCloseTo(450);
  });

  it('spreads the waits of many nodes over the whole range rather than one instant', () => {
    const waits = Array.from({ length: 500 }, () => reclaimDelayMs(tenMinutes));
    expect(Math.min(...waits)).toBeLessThan(560_000);
    expect(Math.max(...waits)).toBeGreaterThan(640_000);
  });
});
