import { describe, expect, it } from 'vitest';
import { type VSwitchCandidate, chooseVSwitch } from './vswitch-choice.js';

const vsw = (id: string, availableIpCount: number | null, zone = 'zone-a'): VSwitchCandidate => ({
  id,
  zone,
  cidr: '10.0.0.0/24',
  gateway: '10.0.0.253',
  availableIpCount,
});

const NOW = '2026-01-01T00:10:00.000Z';
const base = { zone: 'zone-a', policy: 'ordered' as const, blocked: new Map<string, string>(), now: NOW, random: 0 };

describe('chooseVSwitch', () => {
  it('uses only vSwitches of the node zone', () => {
    const candidates = [vsw('vsw-far', 500, 'zone-b'), vsw('vsw-near', 10)];
    expect(chooseVSwitch({ ...base, candidates }).vswitch?.id).toBe('vsw-near');
    expect(chooseVSwitch({ ...base, candidates: [vsw('vsw-far', 500, 'zone-b')] })).toEqual({
      vswitch: null,
      reason: 'no-vswitch-in-zone',
    });
  });

  it('ordered: the most free addresses first, unobserved after observed, then by id', () => {
    const candidates = [vsw('vsw-b', 20), vsw('vsw-c', 90), vsw('vsw-a', 90), vsw('vsw-d', null)];
    expect(chooseVSwitch({ ...base, candidates }).vswitch?.id).toBe('vsw-a');
    expect(chooseVSwitch({ ...base, candidates: [vsw('vsw-d', null), vsw('vsw-b', 1)] }).vswitch?.id).toBe('vsw-b');
  });

  it('random: picks by the given number among the usable ones', () => {
    const candidates = [vsw('vsw-c', 5), vsw('vsw-a', 50), vsw('vsw-b', 0)];
    const pick = (random: number) => chooseVSwitch({ ...base, policy: 'random', candidates, random }).vswitch?.id;
    expect(pick(0)).toBe('vsw-a');
    expect(pick(0.49)).toBe('vsw-a');
    expect(pick(0.5)).toBe('vsw-c');
    expect(pick(0.999999)).toBe('vsw-c');
  });

  it('skips a blocked vSwitch until its time is up', () => {
    const candidates = [vsw('vsw-a', 90), vsw('vsw-b', 10)];
    const blocked = new Map([['vsw-a', '2026-01-01T00:10:01.000Z']]);
    expect(chooseVSwitch({ ...base, candidates, blocked }).vswitch?.id).toBe('vsw-b');
    expect(chooseVSwitch({ ...base, candidates, blocked, now: '2026-01-01T00:10:01.000Z' }).vswitch?.id).toBe('vsw-a');
  });

  it('says why when none is usable', () => {
    const blocked = new Map([['vsw-a', '2026-01-01T01:00:00Z']]);
    expect(chooseVSwitch({ ...base, candidates: [vsw('vsw-a', 90)], blocked })).toEqual({
      vswitch: null,
      reason: 'all-blocked',
    });
    expect(chooseVSwitch({ ...base, candidates: [vsw('vsw-a', 0)] })).toEqual({
      vswitch: null,
      reason: 'no-free-address',
    });
  });
});
