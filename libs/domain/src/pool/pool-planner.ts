// The warm-pool planner (DESIGN.md §6): what cloud calls would bring a node's idle addresses between
// min_pool_size and max_pool_size while serving the pods that wait, in as few calls as possible.
import { toEpochMs } from '../instant.js';
import { podEniSlots, podIpsPerEni } from '../limits.js';
import { compareIps } from '../node/ip-order.js';
import { isAllocatable, isCooledDown } from '../node/node.queries.js';
import { type EniState, type IpState, type NodeState, isLiveEni } from '../node/node.state.js';
import { type PoolConfig } from '../pool-config.js';

/** The cloud API takes at most this many addresses per Assign/UnassignPrivateIpAddresses call. */
export const MAX_IPS_PER_CALL = 10;

export type PoolAction =
  | { kind: 'assign-ips'; eniId: string; count: number }
  /** Create and attach one ENI; the vSwitch is chosen separately (chooseVSwitch). */
  | { kind: 'create-eni' }
  | { kind: 'unassign-ips'; eniId: string; ips: string[] }
  /** Detach (when attached) and delete the ENI; every address on it is idle and not needed. */
  | { kind: 'delete-eni'; eniId: string };

export interface PoolDemand {
  /** Pods refused for want of an idle address that are still waiting for one. */
  waitingPods: number;
  now: string;
}

interface EniView {
  eni: EniState;
  /** Addresses the ENI holds in the cloud, whatever their state (they all count against its quota). */
  total: number;
  /** Held by pods: allocated, releasing or cooling. */
  used: number;
  unassigning: number;
  /** Allocatable now. */
  idle: IpState[];
}

interface PoolView {
  inUse: EniView[];
  idle: number;
  /** Room on ENIs being created or attached, which the saga will fill once they are in use. */
  inFlightRoom: number;
  inFlightEnis: number;
  /** ENIs that occupy (or will occupy) an adapter of the instance. */
  enisHeld: number;
  /** Addresses that exist or are on their way, against max pods. */
  addresses: number;
}

/**
 * Plans the calls for one node; the saga runs them and records their events, then planning runs again. It
 * needs no memory of earlier plans: ENIs being created or attached count as capacity on the way, so a burst
 * never creates two ENIs where one suffices. Assignments are not recorded until done, so the caller plans
 * one node at a time and only after the previous plan's calls returned.
 */
export function planPool(state: NodeState, config: PoolConfig, demand: PoolDemand): PoolAction[] {
  const info = state.info;
  if (!info || info.mode === 'vpc') {
    return [];
  }
  const view = viewPool(state, demand.now);
  // Waiting pods take idle addresses first; only the rest, plus the warm floor, needs new ones.
  const need = Math.max(0, demand.waitingPods + config.minPoolSize - view.idle);
  if (need > 0) {
    return planGrowth(view, need, demand.waitingPods, config, podIpsPerEni(info.mode, info.limits), {
      slots: podEniSlots(info.mode, info.limits),
      maxPods: info.maxPods,
    });
  }
  if (demand.waitingPods > 0 || view.inFlightEnis > 0) {
    return []; // never trim while pods wait or while capacity is arriving: that is how pools flap
  }
  return planTrim(view, view.idle - Math.max(config.maxPoolSize, config.minPoolSize));
}

function viewPool(state: NodeState, now: string): PoolView {
  const info = state.info;
  const perEni = podIpsPerEni(info?.mode ?? 'vpc', info?.limits ?? zeroLimits);
  const nowMs = toEpochMs(now);
  const byEni = new Map<string, IpState[]>();
  for (const ip of state.ips.values()) {
    const list = byEni.get(ip.eniId);
    if (list) {
      list.push(ip);
    } else {
      byEni.set(ip.eniId, [ip]);
    }
  }
  const view: PoolView = { inUse: [], idle: 0, inFlightRoom: 0, inFlightEnis: 0, enisHeld: 0, addresses: 0 };
  for (const eni of Object.values(state.enis)) {
    const ips = byEni.get(eni.eniId) ?? [];
    if (eni.status === 'detaching') {
      view.enisHeld += 1;
    }
    if (!isLiveEni(eni)) {
      continue;
    }
    view.enisHeld += 1;
    const live = ips.filter((ip) => ip.status !== 'unassigning').length;
    if (eni.status !== 'in-use') {
      view.inFlightEnis += 1;
      view.inFlightRoom += Math.max(0, perEni - ips.length);
      view.addresses += Math.max(live, perEni);
      continue;
    }
    const eniView = viewEni(state, eni, ips);
    view.inUse.push(eniView);
    // A cooling address whose rest is over becomes idle with the next sweep: count it as supply already.
    view.idle += eniView.idle.length + ips.filter((ip) => isCooledDown(ip, nowMs)).length;
    view.addresses += live;
  }
  const pending = Object.keys(state.pendingEnis).length;
  view.inFlightEnis += pending;
  view.enisHeld += pending;
  view.inFlightRoom += pending * perEni;
  view.addresses += pending * perEni;
  return view;
}

const zeroLimits = {
  adapters: 0,
  ipv4PerAdapter: 0,
  ipv6PerAdapter: 0,
  totalAdapters: 0,
  memberAdapters: 0,
  trunkSupported: false,
};

/** Idle addresses in no particular order (planTrim orders the ones it gives back). */
function viewEni(state: NodeState, eni: EniState, ips: IpState[]): EniView {
  let used = 0;
  let unassigning = 0;
  const idle: IpState[] = [];
  for (const ip of ips) {
    if (ip.status === 'allocated' || ip.status === 'releasing' || ip.status === 'cooling') {
      used += 1;
    } else if (ip.status === 'unassigning') {
      unassigning += 1;
    } else if (isAllocatable(state, ip)) {
      idle.push(ip);
    }
  }
  return { eni, total: ips.length, used, unassigning, idle };
}

/** The longest rested first, then by address: the order in which idle addresses are given back. */
const longestRestedFirst = (a: IpState, b: IpState): number => a.sinceMs - b.sinceMs || compareIps(a.ip, b.ip);

const byId = (a: EniView, b: EniView): number => (a.eni.eniId < b.eni.eniId ? -1 : a.eni.eniId > b.eni.eniId ? 1 : 0);

function chunks(total: number): number[] {
  const calls = Math.ceil(total / MAX_IPS_PER_CALL);
  return Array.from({ length: calls }, (_, i) => Math.min(MAX_IPS_PER_CALL, total - i * MAX_IPS_PER_CALL));
}

/**
 * Fills the fullest in-use ENIs first, then leaves what ENIs on their way will hold to them, and creates ENIs
 * only for what is left. A call that would carry fewer than ten addresses is topped up as far as
 * max_pool_size allows once the waiting pods are served: the same call, more warm addresses.
 */
function planGrowth(
  view: PoolView,
  need: number,
  waitingPods: number,
  config: PoolConfig,
  perEni: number,
  limits: { slots: number; maxPods: number },
): PoolAction[] {
  const actions: PoolAction[] = [];
  let capacity = Math.max(0, limits.maxPods - view.addresses);
  let budget = Math.min(capacity, Math.max(need, waitingPods + config.maxPoolSize - view.idle));
  let remaining = need;
  const fullestFirst = [...view.inUse].sort((a, b) => b.total - a.total || byId(a, b));
  for (const eni of fullestFirst) {
    const room = perEni - eni.total;
    const wanted = Math.min(room, remaining, capacity);
    if (wanted <= 0) {
      continue;
    }
    const take = Math.max(wanted, Math.min(room, Math.ceil(wanted / MAX_IPS_PER_CALL) * MAX_IPS_PER_CALL, budget));
    actions.push(...chunks(take).map((count): PoolAction => ({ kind: 'assign-ips', eniId: eni.eni.eniId, count })));
    remaining -= take;
    capacity -= take;
    budget -= take;
  }
  remaining -= view.inFlightRoom;
  let slots = limits.slots - view.enisHeld;
  while (remaining > 0 && slots > 0 && capacity > 0 && perEni > 0) {
    actions.push({ kind: 'create-eni' });
    const holds = Math.min(perEni, capacity);
    remaining -= holds;
    capacity -= holds;
    slots -= 1;
  }
  return actions;
}

/**
 * One step of idle-IP reclaim (Terway's `idle_ip_reclaim_*`): when the node saw no pod take or give up an
 * address for `idleIpReclaim.afterSeconds` (counted from its registration before the first pod), up to
 * `batchSize` idle addresses go back to the cloud, from the emptiest ENI first like any trim, never leaving
 * fewer than min_pool_size idle. Off when `afterSeconds` is null, and nothing while pods wait or an ENI is on
 * its way. The caller runs one step per interval; planPool itself never reclaims below max_pool_size.
 */
export function planIdleReclaim(state: NodeState, config: PoolConfig, demand: PoolDemand): PoolAction[] {
  const info = state.info;
  const afterSeconds = config.idleIpReclaim.afterSeconds;
  if (!info || info.mode === 'vpc' || afterSeconds === null || demand.waitingPods > 0) {
    return [];
  }
  const quietSinceMs = state.lastPodActivityMs ?? toEpochMs(info.registeredAt);
  if (toEpochMs(demand.now) - quietSinceMs < afterSeconds * 1000) {
    return [];
  }
  const view = viewPool(state, demand.now);
  if (view.inFlightEnis > 0) {
    return [];
  }
  // Only addresses idle now count against the floor: a cooldown that is over but not yet swept is no reason
  // to give back one more.
  const idleNow = view.inUse.reduce((sum, eni) => sum + eni.idle.length, 0);
  return planTrim(view, Math.min(config.idleIpReclaim.batchSize, idleNow - config.minPoolSize));
}

/**
 * Gives back `excess` idle addresses, from the emptiest ENI first. An ENI whose addresses are all idle and
 * all surplus goes as a whole (two calls, whatever its size); otherwise idle secondary addresses go, ten per call.
 */
function planTrim(view: PoolView, excess: number): PoolAction[] {
  const actions: PoolAction[] = [];
  const emptiestFirst = [...view.inUse].sort((a, b) => a.used - b.used || a.total - b.total || byId(a, b));
  for (const eni of emptiestFirst) {
    if (excess <= 0) {
      break;
    }
    const allIdle = eni.used === 0 && eni.unassigning === 0 && eni.idle.length === eni.total;
    if (allIdle && eni.total <= excess) {
      actions.push({ kind: 'delete-eni', eniId: eni.eni.eniId });
      excess -= eni.total;
      continue;
    }
    const spare = eni.idle
      .filter((ip) => !ip.primary)
      .sort(longestRestedFirst)
      .slice(0, excess);
    for (let i = 0; i < spare.length; i += MAX_IPS_PER_CALL) {
      const ips = spare.slice(i, i + MAX_IPS_PER_CALL).map((ip) => ip.ip);
      actions.push({ kind: 'unassign-ips', eniId: eni.eni.eniId, ips });
    }
    excess -= spare.length;
  }
  return actions;
}
