import { type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { RecentSpansProcessor } from './recent-spans.processor.js';

const span = (n: number) => ({ name: `span-${n}` }) as ReadableSpan;
const names = (spans: readonly ReadableSpan[]) => spans.map((s) => s.name);

describe('RecentSpansProcessor', () => {
  it('keeps every span while there are no more than its capacity', () => {
    const processor = new RecentSpansProcessor(3);
    [1, 2, 3].forEach((n) => processor.onEnd(span(n)));
    expect(names(processor.recent())).toEqual(['span-1', 'span-2', 'span-3']);
  });

  it('shows the last spans up to its capacity, oldest first, however many ended', () => {
    const processor = new RecentSpansProcessor(3);
    for (let n = 1; n <= 20; n++) {
      processor.onEnd(span(n));
      const shown = names(processor.recent());
      expect(shown).toEqual(Array.from({ length: Math.min(n, 3) }, (_, i) => `span-${Math.max(n - 3, 0) + i + 1}`));
    }
  });

  it('forgets everything on shutdown', async () => {
    const processor = new RecentSpansProcessor(3);
    processor.onEnd(span(1));
    await processor.shutdown();
    expect(processor.recent()).toEqual([]);
  });
});
