import { describe, expect, it } from 'vitest';
import { FaultInjector, NO_FAULTS } from './fault-injector.js';
import { FixedWindowThrottle } from './fixed-window-throttle.js';

describe('FixedWindowThrottle', () => {
  it('throttles a call in window T and lets it through in window T+1', () => {
    let now = 60_000 * 10 + 59_000;
    const throttle = new FixedWindowThrottle(() => now, 60_000, { CreateNetworkInterface: 2 });
    expect(throttle.tryAcquire('CreateNetworkInterface')).toBe(true);
    expect(throttle.tryAcquire('CreateNetworkInterface')).toBe(true);
    expect(throttle.tryAcquire('CreateNetworkInterface')).toBe(false);
    now += 999;
    expect(throttle.tryAcquire('CreateNetworkInterface')).toBe(false);
    now += 1;
    expect(throttle.tryAcquire('CreateNetworkInterface')).toBe(true);
  });

  it('counts each API separately and leaves APIs without a limit alone', () => {
    const throttle = new FixedWindowThrottle(() => 0, 1_000, { AttachNetworkInterface: 1 });
    expect(throttle.tryAcquire('AttachNetworkInterface')).toBe(true);
    expect(throttle.tryAcquire('AttachNetworkInterface')).toBe(false);
    expect(throttle.tryAcquire('DetachNetworkInterface')).toBe(true);
    expect(Array.from({ length: 100 }, () => throttle.tryAcquire('DescribeVSwitches')).every(Boolean)).toBe(true);
  });
});

describe('FaultInjector', () => {
  const rules = [{ rate: 0.3, codes: ['Throttling.User', 'InternalError'] }];

  function draws(seed: number): (string | null)[] {
    const faults = new FaultInjector();
    faults.configure({ ...NO_FAULTS, rules, seed });
    return Array.from({ length: 200 }, () => faults.draw('CreateNetworkInterface', 'before'));
  }

  it('gives the same fault sequence for the same seed', () => {
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)).not.toEqual(draws(8));
  });

  it('hits about the configured rate with the configured codes', () => {
    const hits = draws(42).filter((code) => code !== null);
    expect(hits.length).toBeGreaterThan(40);
    expect(hits.length).toBeLessThan(80);
    expect(new Set(hits)).toEqual(new Set(['Throttling.User', 'InternalError']));
  });

  it('applies a rule only to its APIs and phase', () => {
    const faults = new FaultInjector();
    faults.configure({
      ...NO_FAULTS,
      rules: [{ apis: ['DeleteNetworkInterface'], rate: 1, codes: ['Operation.Conflict'], phase: 'after' }],
    });
    expect(faults.draw('DeleteNetworkInterface', 'before')).toBeNull();
    expect(faults.draw('CreateNetworkInterface', 'after')).toBeNull();
    expect(faults.draw('DeleteNetworkInterface', 'after')).toBe('Operation.Conflict');
  });
});
