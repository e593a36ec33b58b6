// Read-only views of a node's state, for deciders, the planner and the API.
import { toEpochMs } from '../instant.js';
import { compareIps } from './ip-order.js';
import {
  type EniState,
  type IpAllocation,
  type IpState,
  type IpStatus,
  type NodeEniStatus,
  type NodeState,
  podKey,
} from './node.state.js';

export interface IpStatusCounts {
  idle: number;
  allocated: number;
  releasing: number;
  cooling: number;
  unassigning: number;
  /** Every address the ENI holds in the cloud, whatever its state. */
  total: number;
}

export interface EniPoolCounts extends IpStatusCounts {
  eniId: string;
  status: NodeEniStatus;
  deviceIndex: number | null;
}

export interface PoolCounts extends IpStatusCounts {
  /** Pods the node may network at once. */
  maxPods: number;
  /** ENIs being created (requested, not yet created). */
  pendingEnis: number;
  /** Per ENI not deleted, by device index then id. */
  enis: EniPoolCounts[];
}

export interface AllocationView extends IpAllocation {
  ip: string;
  status: Extract<IpStatus, 'allocated' | 'releasing'>;
  eni: EniState;
}

const zero = (): IpStatusCounts => ({ idle: 0, allocated: 0, releasing: 0, cooling: 0, unassigning: 0, total: 0 });

function tally(counts: IpStatusCounts, ip: IpState): void {
  counts[ip.status] += 1;
  counts.total += 1;
}

/** Counts per state; the node-wide `idle` counts only addresses that can be handed out (on in-use ENIs). */
export function poolCounts(state: NodeState): PoolCounts {
  const perEni = new Map<string, EniPoolCounts>();
  const enis = Object.values(state.enis).filter((eni) => eni.status !== 'deleted');
  for (const eni of enis.sort(byDevice)) {
    perEni.set(eni.eniId, { eniId: eni.eniId, status: eni.status, deviceIndex: eni.deviceIndex, ...zero() });
  }
  const totals = zero();
  for (const ip of state.ips.values()) {
    const eniCounts = perEni.get(ip.eniId);
    if (eniCounts) {
      tally(eniCounts, ip);
    }
    if (ip.status !== 'idle' || isAllocatable(state, ip)) {
      tally(totals, ip);
    }
  }
  return {
    ...totals,
    maxPods: state.info?.maxPods ?? 0,
    pendingEnis: Object.keys(state.pendingEnis).length,
    enis: [...perEni.values()],
  };
}

const byDevice = (a: EniState, b: EniState): number =>
  (a.deviceIndex ?? Number.MAX_SAFE_INTEGER) - (b.deviceIndex ?? Number.MAX_SAFE_INTEGER) ||
  (a.eniId < b.eniId ? -1 : a.eniId > b.eniId ? 1 : 0);

/** Idle and on an ENI in use: may be handed to a pod now. */
export const isAllocatable = (state: NodeState, ip: IpState): boolean =>
  ip.status === 'idle' && state.enis[ip.eniId]?.status === 'in-use';

export function allocationByIp(state: NodeState, ip: string): AllocationView | null {
  const held = state.ips.get(ip);
  const eni = held ? state.enis[held.eniId] : undefined;
  if (!held?.allocation || !eni || (held.status !== 'allocated' && held.status !== 'releasing')) {
    return null;
  }
  return { ...held.allocation, ip, status: held.status, eni };
}

export function findAllocation(state: NodeState, podUid: string, containerId: string): AllocationView | null {
  const ip = state.pods.get(podKey(podUid, containerId));
  return ip === undefined ? null : allocationByIp(state, ip);
}

/** Every allocation of the node, in address order. */
export const listAllocations = (state: NodeState): AllocationView[] =>
  [...state.ips.keys()].sort(compareIps).flatMap((ip) => allocationByIp(state, ip) ?? []);

/** Cooling, with its teardown confirmed, and resting until `cooldownUntil`. */
const isCooldownRunning = (ip: IpState): ip is IpState & { cooldownUntilMs: number } =>
  ip.status === 'cooling' && ip.teardownConfirmedAt !== null && ip.cooldownUntilMs !== null;

/** A cooling address whose rest is over at `nowMs` (milliseconds since the epoch) and whose teardown was confirmed. */
export const isCooledDown = (ip: IpState, nowMs: number): boolean =>
  isCooldownRunning(ip) && ip.cooldownUntilMs <= nowMs;

/** Cooling addresses whose rest is over at `now` and whose teardown the node confirmed, in address order. */
export function expiredCooldowns(state: NodeState, now: string): IpState[] {
  const nowMs = toEpochMs(now);
  const expired: IpState[] = [];
  for (const ip of state.ips.values()) {
    if (isCooledDown(ip, nowMs)) {
      expired.push(ip);
    }
  }
  return expired.length > 1 ? expired.sort((a, b) => compareIps(a.ip, b.ip)) : expired;
}

/** When the earliest cooldown still running ends (milliseconds since the epoch), or null when none runs. */
export function nextCooldownEnd(state: NodeState): number | null {
  let next: number | null = null;
  for (const ip of state.ips.values()) {
    if (isCooldownRunning(ip) && (next === null || ip.cooldownUntilMs < next)) {
      next = ip.cooldownUntilMs;
    }
  }
  return next;
}
