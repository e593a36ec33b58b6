import { describe, expect, it } from 'vitest';
import { renderFields, renderTable } from './table.renderer.js';

interface Row {
  name: string;
  count: number;
  note: string;
}

const columns = [
  { header: 'NAME', cell: (r: Row) => r.name },
  { header: 'COUNT', cell: (r: Row) => r.count },
  { header: 'NOTE', cell: (r: Row) => r.note },
];

describe('renderTable', () => {
  it('pads columns to their widest cell, right-aligns numbers and trims trailing spaces', () => {
    const text = renderTable(columns, [
      { name: 'node-a', count: 3, note: 'ok' },
      { name: 'n', count: 120, note: '' },
    ]);
    expect(text).toBe(['NAME    COUNT  NOTE', 'node-a      3  ok', 'n         120  -', ''].join('\n'));
  });

  it('prints only the header for no rows', () => {
    expect(renderTable(columns, [])).toBe('NAME  COUNT  NOTE\n');
  });

  it('measures symbols by code point so that columns stay aligned', () => {
    const text = renderTable(
      [
        { header: 'A', cell: (r: { a: string; b: string }) => r.a },
        { header: 'B', cell: (r: { a: string; b: string }) => r.b },
      ],
      [
        { a: 'x→y', b: '1' },
        { a: 'xyzw', b: '2' },
      ],
    );
    expect(text).toBe('A     B\nx→y   1\nxyzw  2\n');
  });

  it('honours an explicit alignment', () => {
    const text = renderTable(
      [{ header: 'ID', cell: (r: { id: string }) => r.id, align: 'right' }],
      [{ id: 'a' }, { id: 'abc' }],
    );
    expect(text).toBe(' ID\n  a\nabc\n');
  });
});

describe('renderFields', () => {
  it('aligns values after the longest key and shows empty values as a dash', () => {
    expect(
      renderFields([
        ['Node', 'n1'],
        ['Max pods', 12],
        ['IPv6', ''],
      ]),
    ).toBe('Node      n1\nMax pods  12\nIPv6      -\n');
  });
});
