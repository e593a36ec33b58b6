// Which vSwitch a new ENI goes to (DESIGN.md §6): the node's zone only, blocked ones skipped until their time.
import { toEpochMs } from '../instant.js';
import { type VSwitchSelectionPolicy } from '../pool-config.js';

export interface VSwitchCandidate {
  id: string;
  zone: string;
  cidr: string;
  gateway: string;
  /** Free addresses last seen (DescribeVSwitches); null when never observed. */
  availableIpCount: number | null;
}

export interface VSwitchChoiceInput {
  candidates: readonly VSwitchCandidate[];
  zone: string;
  policy: VSwitchSelectionPolicy;
  /** vSwitch id → RFC 3339 instant until which it is skipped. */
  blocked: ReadonlyMap<string, string>;
  now: string;
  /** A number in [0, 1) from the caller; used by the `random` policy only. */
  random: number;
}

export type VSwitchUnavailableReason = 'no-vswitch-in-zone' | 'all-blocked' | 'no-free-address';

export type VSwitchChoice =
  { vswitch: VSwitchCandidate; reason: null } | { vswitch: null; reason: VSwitchUnavailableReason };

const byId = (a: VSwitchCandidate, b: VSwitchCandidate): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Most free addresses first; never observed ones after those (the cloud will tell), then by id. */
const mostFree = (a: VSwitchCandidate, b: VSwitchCandidate): number =>
  (b.availableIpCount ?? -1) - (a.availableIpCount ?? -1) || byId(a, b);

/**
 * `ordered`: the vSwitch with the most free addresses. `random`: one of the usable ones, picked by the
 * caller's number. A vSwitch seen with no free address is not usable. When none is, the reason says why;
 * the caller answers RESOURCE_EXHAUSTED with reason `vswitch-exhausted`.
 */
export function chooseVSwitch(input: VSwitchChoiceInput): VSwitchChoice {
  const inZone = input.candidates.filter((v) => v.zone === input.zone);
  if (inZone.length === 0) {
    return { vswitch: null, reason: 'no-vswitch-in-zone' };
  }
  const nowMs = toEpochMs(input.now);
  const open = inZone.filter((v) => {
    const until = input.blocked.get(v.id);
    return until === undefined || toEpochMs(until) <= nowMs;
  });
  if (open.length === 0) {
    return { vswitch: null, reason: 'all-blocked' };
  }
  const usable = open.filter((v) => v.availableIpCount !== 0);
  if (usable.length === 0) {
    return { vswitch: null, reason: 'no-free-address' };
  }
  if (input.policy === 'ordered') {
    return { vswitch: [...usable].sort(mostFree)[0], reason: null };
  }
  const random = Math.min(Math.max(input.random, 0), 1 - Number.EPSILON);
  const sorted = [...usable].sort(byId);
  return { vswitch: sorted[Math.floor(random * sorted.length)], reason: null };
}
