// What a benchmark hands back, and how the runner turns it into docs/benchmarks.md: a section per benchmark
// with its figures beside their same-run baselines, and targets with a pass/fail mark. A benchmark that
// could not run says why ("not measured: …"); no figure appears that was not measured in this run.

export interface TargetCheck {
  /** What is compared, e.g. "AllocateIp+ReleaseIp p99 at 64 clients". */
  label: string;
  measured: number;
  limit: number;
  /** `<=`: the measured value must not exceed the limit; `>=`: must reach it. */
  comparison: '<=' | '>=';
  unit: string;
  /** How the limit was derived, e.g. "3 × ptp ADD p50 (8.1 ms)". */
  limitNote?: string;
}

export interface BenchSection {
  name: string;
  title: string;
  /** Markdown body (tables, notes). */
  body: string;
  targets: TargetCheck[];
  /** Set when the benchmark could not measure: why. */
  notMeasured?: string;
  /** When and under what load it was measured, how long it took: shown after the targets. */
  footer?: string;
}

export function passes(target: TargetCheck): boolean {
  return target.comparison === '<=' ? target.measured <= target.limit : target.measured >= target.limit;
}

export function markdownTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) =>
    `| ${cells.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`;
  const rule = `|${headers.map(() => '---').join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n') + '\n';
}

/** Milliseconds with a precision that suits their size. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) {
    return 'n/a';
  }
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function rate(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

export function percent(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)} %` : 'n/a';
}

export function renderTargets(targets: readonly TargetCheck[]): string {
  if (targets.length === 0) {
    return '';
  }
  return markdownTable(
    ['target', 'limit', 'measured', 'result'],
    targets.map((t) => [
      t.label,
      `${t.comparison} ${formatValue(t.limit, t.unit)}${t.limitNote ? ` (${t.limitNote})` : ''}`,
      formatValue(t.measured, t.unit),
      passes(t) ? '✅ pass' : '❌ miss',
    ]),
  );
}

function formatValue(value: number, unit: string): string {
  if (unit === 'ms') {
    return `${ms(value)} ms`;
  }
  if (unit === '%') {
    return percent(value);
  }
  if (unit === '×') {
    return ratio(value);
  }
  return `${rate(value)} ${unit}`.trim();
}

export function renderSection(section: BenchSection): string {
  const heading = `## ${section.title}\n\n`;
  if (section.notMeasured !== undefined) {
    return `${heading}Not measured: ${section.notMeasured}\n${section.body ? `\n${section.body}` : ''}`;
  }
  const targets = section.targets.length > 0 ? `\nTargets:\n\n${renderTargets(section.targets)}` : '';
  const footer = section.footer === undefined ? '' : `\n${section.footer}\n`;
  return `${heading}${section.body}${targets}${footer}`;
}
