import { describe, expect, it } from 'vitest';
import { markdownTable, ms, passes, renderSection, renderTargets } from './report.js';

describe('report helpers', () => {
  it('renders a markdown table, escaping pipes', () => {
    expect(markdownTable(['a', 'b'], [[1, 'x|y']])).toBe('| a | b |\n|---|---|\n| 1 | x\\|y |\n');
  });

  it('rounds milliseconds by size', () => {
    expect([ms(0.1234), ms(12.345), ms(123.6), ms(NaN)]).toEqual(['0.12', '12.3', '124', 'n/a']);
  });

  it('marks targets as passed or missed in both directions', () => {
    const upper = { label: 'p99', measured: 12, limit: 10, comparison: '<=' as const, unit: 'ms' };
    const lower = { label: 'share', measured: 0.6, limit: 0.5, comparison: '>=' as const, unit: '%' };
    expect([passes(upper), passes(lower)]).toEqual([false, true]);
    expect(renderTargets([upper, lower])).toContain('| p99 | <= 10.0 ms | 12.0 ms | ❌ miss |');
    expect(renderTargets([upper, lower])).toContain('| share | >= 50.0 % | 60.0 % | ✅ pass |');
  });

  it('says why a benchmark was not measured instead of showing figures', () => {
    const text = renderSection({ name: 'x', title: 'X', body: '', targets: [], notMeasured: 'no agent yet' });
    expect(text).toBe('## X\n\nNot measured: no agent yet\n');
  });
});
