// The children's logs (allocator, node agents) on the dev cluster's terminal. Each child writes JSON lines to
// its own file; this follows the files, shows warnings and errors under the child's name (every line with
// --verbose), and counts the rest, so that the terminal tells the story and the files keep the detail.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { type DevOutput } from './dev-output.js';

export interface LogLineView {
  /** The JSON logger's level, or 'text' for a line that is not JSON (a crash, a runtime warning). */
  level: string;
  text: string;
}

const NOTABLE = new Set(['warn', 'error', 'fatal', 'text']);
/** Without --verbose, at most this many lines per child reach the terminal. */
export const QUIET_LINE_BUDGET = 40;

/** Reads one log line: `level context: message` for the JSON logger's records, the line itself otherwise. */
export function viewLogLine(line: string): LogLineView {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return { level: 'text', text: line };
  }
  if (typeof record !== 'object' || record === null || typeof (record as { level?: unknown }).level !== 'string') {
    return { level: 'text', text: line };
  }
  const { level, context, message, error } = record as Record<string, unknown>;
  const prefix = typeof context === 'string' && context !== '' ? `${context}: ` : '';
  const body = typeof message === 'string' ? message : JSON.stringify(message);
  const cause = typeof error === 'object' && error !== null ? ` (${JSON.stringify(error)})` : '';
  return { level: level as string, text: `${level as string} ${prefix}${body}${cause}` };
}

export const isNotable = (view: LogLineView): boolean => NOTABLE.has(view.level);

interface Followed {
  name: string;
  file: string;
  offset: number;
  partial: string;
  lines: number;
  notable: number;
  shown: number;
}

export class ChildLogs {
  private readonly followed: Followed[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly out: DevOutput,
    private readonly verbose: boolean,
  ) {}

  /** Starts following `file` from its beginning (the dev cluster's work directory is emptied on every start). */
  follow(name: string, file: string): void {
    this.followed.push({ name, file, offset: 0, partial: '', lines: 0, notable: 0, shown: 0 });
    this.timer ??= setInterval(() => this.poll(), 250);
    this.timer.unref();
  }

  /** Reads what was written since the last look. */
  poll(): void {
    for (const followed of this.followed) {
      for (const line of readNewLines(followed)) {
        this.show(followed, line);
      }
    }
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.poll();
  }

  /** `allocator: 120 lines, 0 warnings or errors (/tmp/…/allocator.log)` per child. */
  tally(): string[] {
    return this.followed.map((f) => `${f.name}: ${f.lines} log lines, ${f.notable} warnings or errors (${f.file})`);
  }

  private show(followed: Followed, line: string): void {
    if (line.trim() === '') {
      return;
    }
    followed.lines += 1;
    const view = viewLogLine(line);
    const notable = isNotable(view);
    if (notable) {
      followed.notable += 1;
    }
    if (this.verbose) {
      this.out.child(followed.name, view.text);
      return;
    }
    if (!notable || followed.shown > QUIET_LINE_BUDGET) {
      return;
    }
    followed.shown += 1;
    if (followed.shown > QUIET_LINE_BUDGET) {
      this.out.child(followed.name, `(more warnings only in ${followed.file})`);
      return;
    }
    this.out.child(followed.name, view.text);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function readNewLines(followed: Followed): string[] {
  const size = sizeOf(followed.file);
  if (size < followed.offset) {
    // The file was truncated or replaced: start over.
    followed.offset = 0;
    followed.partial = '';
  }
  if (size === followed.offset) {
    return [];
  }
  const buffer = Buffer.alloc(size - followed.offset);
  const fd = openSync(followed.file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, followed.offset);
  } finally {
    closeSync(fd);
  }
  followed.offset = size;
  const lines = (followed.partial + buffer.toString('utf8')).split('\n');
  followed.partial = lines.pop() ?? '';
  return lines;
}
