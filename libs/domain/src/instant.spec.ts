import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import { addSeconds, isAtOrAfter, toEpochMs, toIso } from './instant.js';

describe('instant', () => {
  it('reads RFC 3339 UTC and offset forms', () => {
    expect(toEpochMs('2026-01-01T00:00:00Z')).toBe(1_767_225_600_000);
    expect(toEpochMs('2026-01-01T00:00:00.250Z')).toBe(1_767_225_600_250);
    expect(toEpochMs('2026-01-01T08:00:00+08:00')).toBe(1_767_225_600_000);
    expect(toEpochMs('2025-12-31T23:30:00-00:30')).toBe(1_767_225_600_000);
  });

  it('writes the UTC form with milliseconds', () => {
    expect(toIso(1_767_225_600_250)).toBe('2026-01-01T00:00:00.250Z');
    expect(toIso(0)).toBe('1970-01-01T00:00:00.000Z');
  });

  it('agrees with the platform calendar across leap years and month ends', () => {
    // The spec, unlike the domain, may consult the platform to check the hand-written calendar.
    /* eslint-disable no-restricted-globals */
    for (let ms = Date.UTC(1999, 11, 28); ms < Date.UTC(2101, 2, 3); ms += 86_400_000 * 7 + 3_723_001) {
      const platform = new Date(ms).toISOString();
      expect(toIso(ms)).toBe(platform);
      expect(toEpochMs(platform)).toBe(ms);
    }
    /* eslint-enable no-restricted-globals */
  });

  it('adds seconds across a day boundary and compares instants', () => {
    expect(addSeconds('2024-02-28T23:59:30Z', 60)).toBe('2024-02-29T00:00:30.000Z');
    expect(isAtOrAfter('2026-01-01T00:01:00.000Z', '2026-01-01T00:01:00Z')).toBe(true);
    expect(isAtOrAfter('2026-01-01T00:00:59.999Z', '2026-01-01T00:01:00Z')).toBe(false);
  });

  it('reads the canonical form and its variants alike', () => {
    expect(toEpochMs('2026-01-01T00:00:00.250Z')).toBe(toEpochMs('2026-01-01t00:00:00.250z'));
    expect(toEpochMs('2026-01-01T08:00:00.250+08:00')).toBe(toEpochMs('2026-01-01T00:00:00.250Z'));
    expect(toEpochMs('2026-01-01T00:00:00.2500Z')).toBe(1_767_225_600_250);
  });

  it('refuses what is not a timestamp', () => {
    expect(() => toEpochMs('yesterday')).toThrow(DomainError);
    // The length and separators of the canonical form, with a letter among the digits.
    expect(() => toEpochMs('2026-01-01T00:00:00.2x0Z')).toThrow(DomainError);
    expect(() => toEpochMs('2026-01-0aT00:00:00.250Z')).toThrow(DomainError);
  });
});
