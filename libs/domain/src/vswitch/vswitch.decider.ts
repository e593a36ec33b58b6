// The vSwitch aggregate (stream `vswitch-<id>`): capacity seen and blocked-until, shared by every node.
import { type Decider } from '../decider.js';
import { DomainError } from '../errors.js';
import { type VSwitchEvent } from '../events.js';
import { addSeconds, toEpochMs } from '../instant.js';

export interface VSwitchState {
  vswitchId: string | null;
  zone: string | null;
  cidr: string | null;
  availableIpCount: number | null;
  observedAt: string | null;
  blockedUntil: string | null;
  blockReason: string | null;
}

/** The cloud answered InvalidVSwitchId.IpNotEnough (or similar): skip the vSwitch for `blockForSeconds`. */
export interface BlockVSwitch {
  type: 'BlockVSwitch';
  vswitchId: string;
  zone: string;
  reason: string;
  blockForSeconds: number;
  now: string;
}

export interface ObserveVSwitchCapacity {
  type: 'ObserveVSwitchCapacity';
  vswitchId: string;
  zone: string;
  cidr: string;
  availableIpCount: number;
  now: string;
}

export type VSwitchCommand = BlockVSwitch | ObserveVSwitchCapacity;

export const initialVSwitchState = (): VSwitchState => ({
  vswitchId: null,
  zone: null,
  cidr: null,
  availableIpCount: null,
  observedAt: null,
  blockedUntil: null,
  blockReason: null,
});

/**
 * A block that would end no later than the one in force records nothing; neither does a capacity equal to
 * the last one seen (DescribeVSwitches runs often; the ledger keeps changes).
 */
export function decideVSwitch(command: VSwitchCommand, state: VSwitchState): VSwitchEvent[] {
  switch (command.type) {
    case 'BlockVSwitch': {
      const { vswitchId, zone, reason, blockForSeconds, now } = command;
      if (!(blockForSeconds > 0)) {
        throw new DomainError('invalid-argument', 'blockForSeconds: must be > 0', { field: 'blockForSeconds' });
      }
      const until = addSeconds(now, blockForSeconds);
      if (state.blockedUntil !== null && toEpochMs(state.blockedUntil) >= toEpochMs(until)) {
        return [];
      }
      return [{ type: 'VSwitchBlocked', data: { vswitchId, zone, reason, until, at: now } }];
    }
    case 'ObserveVSwitchCapacity': {
      const { vswitchId, zone, cidr, availableIpCount, now } = command;
      if (!Number.isInteger(availableIpCount) || availableIpCount < 0) {
        throw new DomainError('invalid-argument', 'availableIpCount: must be an integer >= 0', {
          field: 'availableIpCount',
        });
      }
      if (state.availableIpCount === availableIpCount && state.cidr === cidr) {
        return [];
      }
      return [{ type: 'VSwitchCapacityObserved', data: { vswitchId, zone, cidr, availableIpCount, at: now } }];
    }
  }
}

export function evolveVSwitch(state: VSwitchState, event: VSwitchEvent): VSwitchState {
  switch (event.type) {
    case 'VSwitchBlocked': {
      const { vswitchId, zone, reason, until } = event.data;
      return { ...state, vswitchId, zone, blockedUntil: until, blockReason: reason };
    }
    case 'VSwitchCapacityObserved': {
      const { vswitchId, zone, cidr, availableIpCount, at } = event.data;
      return { ...state, vswitchId, zone, cidr, availableIpCount, observedAt: at };
    }
  }
}

/** Blocked at `now`? Feed the answers to chooseVSwitch's `blocked` map. */
export const isVSwitchBlocked = (state: VSwitchState, now: string): boolean =>
  state.blockedUntil !== null && toEpochMs(state.blockedUntil) > toEpochMs(now);

export const vswitchDecider: Decider<VSwitchCommand, VSwitchState, VSwitchEvent> = {
  decide: decideVSwitch,
  evolve: evolveVSwitch,
  initialState: initialVSwitchState,
};
