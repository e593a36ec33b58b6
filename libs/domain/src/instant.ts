// Instants as the ledger writes them: RFC 3339 strings in UTC. The domain may not read the clock or use the
// platform Date (a lint rule keeps it pure), so the little calendar arithmetic it needs lives here, using the
// proleptic Gregorian day count of the civil calendar.
import { invalidArgument } from './errors.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;
const DAY_MS = 86_400_000;

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the form toIso writes and the allocator stamps on every command and event.
const CANONICAL_LENGTH = 24;
const CANONICAL_SEPARATORS: readonly [number, string][] = [
  [4, '-'],
  [7, '-'],
  [10, 'T'],
  [13, ':'],
  [16, ':'],
  [19, '.'],
  [23, 'Z'],
];

/** The digits of `text` from `start` to `end` as a number, or -1 if one of them is not a digit. */
function digitsAt(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      return -1;
    }
    n = n * 10 + d;
  }
  return n;
}

/**
 * The canonical form read without the regular expression (the hot path parses one per command and event);
 * null for anything else, which the general reader then handles. Same result as the general reader.
 */
function canonicalEpochMs(instant: string): number | null {
  if (instant.length !== CANONICAL_LENGTH) {
    return null;
  }
  for (const [at, separator] of CANONICAL_SEPARATORS) {
    if (instant[at] !== separator) {
      return null;
    }
  }
  const y = digitsAt(instant, 0, 4);
  const mo = digitsAt(instant, 5, 7);
  const d = digitsAt(instant, 8, 10);
  const h = digitsAt(instant, 11, 13);
  const mi = digitsAt(instant, 14, 16);
  const s = digitsAt(instant, 17, 19);
  const ms = digitsAt(instant, 20, 23);
  if (Math.min(y, mo, d, h, mi, s, ms) < 0) {
    return null;
  }
  return daysFromCivil(y, mo, d) * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

/** Milliseconds since the Unix epoch of an RFC 3339 timestamp (any offset; sub-millisecond digits dropped). */
export function toEpochMs(instant: string): number {
  const canonical = canonicalEpochMs(instant);
  if (canonical !== null) {
    return canonical;
  }
  const m = RFC3339.exec(instant);
  if (!m) {
    throw invalidArgument('now', `not an RFC 3339 timestamp: ${instant}`);
  }
  const [, y, mo, d, h, mi, s, frac = '', zone] = m as unknown as string[];
  const ms = Number((frac + '000').slice(0, 3));
  const local = daysFromCivil(+y, +mo, +d) * DAY_MS + ((+h * 60 + +mi) * 60 + +s) * 1000 + ms;
  if (zone.toUpperCase() === 'Z') {
    return local;
  }
  const sign = zone.startsWith('-') ? -1 : 1;
  const offsetMinutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
  return local - sign * offsetMinutes * 60_000;
}

/** As toEpochMs, but NaN for what is not a timestamp: for folding recorded facts, which must never fail. */
export function epochMsOrNaN(instant: string): number {
  const canonical = canonicalEpochMs(instant);
  if (canonical !== null) {
    return canonical;
  }
  return RFC3339.test(instant) ? toEpochMs(instant) : NaN;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The RFC 3339 UTC form with milliseconds, e.g. `2026-01-01T00:01:00.000Z`. */
export function toIso(epochMs: number): string {
  const days = Math.floor(epochMs / DAY_MS);
  const [y, mo, d] = civilFromDays(days);
  let rest = epochMs - days * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const s = Math.floor(rest / 1000);
  const ms = rest - s * 1000;
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}Z`;
}

export const addSeconds = (instant: string, seconds: number): string =>
  toIso(toEpochMs(instant) + Math.round(seconds * 1000));

/** True when `a` is the same instant as `b` or later. */
export const isAtOrAfter = (a: string, b: string): boolean => toEpochMs(a) >= toEpochMs(b);
