// Aligned plain-text tables for a terminal: a header row, columns padded to their widest cell, two spaces
// between columns, numbers right-aligned. No colours and no box drawing, so that the output greps and pipes.

export interface Column<Row> {
  header: string;
  cell: (row: Row) => string | number;
  /** Default: right for numbers, left for text. */
  align?: 'left' | 'right';
}

const GAP = '  ';

export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => column.cell(row)));
  const texts = cells.map((line) => line.map((value) => (value === '' ? '-' : String(value))));
  const widths = columns.map((column, i) =>
    Math.max(displayWidth(column.header), ...texts.map((line) => displayWidth(line[i]))),
  );
  const rightAligned = columns.map(
    (column, i) => column.align === 'right' || (column.align === undefined && cells.every((l) => isNumber(l[i]))),
  );
  const format = (line: readonly string[]) =>
    line
      .map((text, i) => pad(text, widths[i], rightAligned[i] && rows.length > 0))
      .join(GAP)
      .trimEnd();
  return [format(columns.map((column) => column.header)), ...texts.map(format)].join('\n') + '\n';
}

/** `Key  value` lines with the keys padded to the longest one. */
export function renderFields(fields: readonly (readonly [string, string | number])[]): string {
  const width = Math.max(0, ...fields.map(([key]) => displayWidth(key)));
  return fields.map(([key, value]) => `${pad(key, width, false)}${GAP}${value === '' ? '-' : value}`).join('\n') + '\n';
}

function isNumber(value: string | number): boolean {
  return typeof value === 'number';
}

function pad(text: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return right ? fill + text : text + fill;
}

// Code points, not UTF-16 units: arrows and other symbols in cells must not shift the columns.
function displayWidth(text: string): number {
  return [...text].length;
}
