import { describe, expect, it } from 'vitest';
import { type VSwitchEvent } from '../events.js';
import { deciderSpecification } from '../testing/decider-specification.js';
import { type BlockVSwitch, isVSwitchBlocked, vswitchDecider } from './vswitch.decider.js';

const spec = deciderSpecification(vswitchDecider);
const T0 = '2026-01-01T00:00:00.000Z';

const block = (now: string, blockForSeconds = 600): BlockVSwitch => ({
  type: 'BlockVSwitch',
  vswitchId: 'vsw-1',
  zone: 'zone-a',
  reason: 'InvalidVSwitchId.IpNotEnough',
  blockForSeconds,
  now,
});
const blocked = (now: string, until: string): VSwitchEvent => ({
  type: 'VSwitchBlocked',
  data: { vswitchId: 'vsw-1', zone: 'zone-a', reason: 'InvalidVSwitchId.IpNotEnough', until, at: now },
});
const observe = (availableIpCount: number, now = T0) =>
  ({
    type: 'ObserveVSwitchCapacity',
    vswitchId: 'vsw-1',
    zone: 'zone-a',
    cidr: '10.0.0.0/24',
    availableIpCount,
    now,
  }) as const;

describe('vSwitch aggregate', () => {
  it('blocks until now + blockFor', () => {
    spec
      .given([])
      .when(block(T0))
      .then([blocked(T0, '2026-01-01T00:10:00.000Z')]);
  });

  it('records nothing for a block that ends no later than the one in force, and extends a later one', () => {
    const first = blocked(T0, '2026-01-01T00:10:00.000Z');
    spec.given([first]).when(block('2026-01-01T00:01:00.000Z', 60)).thenNothing();
    spec
      .given([first])
      .when(block('2026-01-01T00:05:00.000Z'))
      .then([blocked('2026-01-01T00:05:00.000Z', '2026-01-01T00:15:00.000Z')]);
  });

  it('refuses a block of no duration', () => {
    spec.given([]).when(block(T0, 0)).thenThrows('invalid-argument');
  });

  it('records capacity changes only', () => {
    const seen: VSwitchEvent = {
      type: 'VSwitchCapacityObserved',
      data: { vswitchId: 'vsw-1', zone: 'zone-a', cidr: '10.0.0.0/24', availableIpCount: 40, at: T0 },
    };
    spec.given([]).when(observe(40)).then([seen]);
    spec.given([seen]).when(observe(40, '2026-01-01T00:01:00.000Z')).thenNothing();
    const { state } = spec.given([seen]).when(observe(39)).result();
    expect(state.availableIpCount).toBe(39);
    spec.given([]).when(observe(-1)).thenThrows('invalid-argument');
  });

  it('knows whether it is blocked at an instant', () => {
    const { state } = spec.given([]).when(block(T0)).result();
    expect(isVSwitchBlocked(state, '2026-01-01T00:09:59.999Z')).toBe(true);
    expect(isVSwitchBlocked(state, '2026-01-01T00:10:00.000Z')).toBe(false);
  });
});
