// Node decisions about pods: registration, allocation, release and the cooldown gate.
import { DomainError } from '../errors.js';
import { type InstanceLimits, type NodeEvent } from '../events.js';
import { addSeconds } from '../instant.js';
import { maxPods } from '../limits.js';
import { compareIps } from './ip-order.js';
import {
  type AllocateIp,
  type EndCooldowns,
  type RegisterNode,
  type ReleaseIp,
  type RequestRelease,
} from './node.commands.js';
import { expiredCooldowns, findAllocation, isAllocatable } from './node.queries.js';
import { type IpState, type NodeState } from './node.state.js';
import { registered, required } from './node-guards.js';

const sameLimits = (a: InstanceLimits, b: InstanceLimits): boolean =>
  a.adapters === b.adapters &&
  a.ipv4PerAdapter === b.ipv4PerAdapter &&
  a.ipv6PerAdapter === b.ipv6PerAdapter &&
  a.totalAdapters === b.totalAdapters &&
  a.memberAdapters === b.memberAdapters &&
  a.trunkSupported === b.trunkSupported;

/**
 * Same facts again: nothing to record. A resize (same instance, zone and mode) is recorded. Another instance,
 * zone or mode under the same name is accepted only once the node holds no ENI and no address.
 */
export function decideRegisterNode(command: RegisterNode, state: NodeState): NodeEvent[] {
  for (const field of ['node', 'instanceId', 'instanceType', 'zone'] as const) {
    required(field, command[field]);
  }
  const { node, instanceId, instanceType, zone, mode, limits, now } = command;
  const info = state.info;
  const registeredAgain = { node, instanceId, instanceType, zone, mode, limits, maxPods: maxPods(mode, limits) };
  if (info && info.instanceId === instanceId && info.zone === zone && info.mode === mode) {
    if (info.instanceType === instanceType && sameLimits(info.limits, limits) && info.node === node) {
      return [];
    }
  } else if (info && (state.ips.size > 0 || Object.values(state.enis).some((e) => e.status !== 'deleted'))) {
    throw new DomainError('illegal-state', `node ${node} still holds ENIs of instance ${info.instanceId}`, {
      reason: 'node-has-enis',
    });
  }
  return [{ type: 'NodeRegistered', data: { ...registeredAgain, at: now } }];
}

/**
 * Idempotent on (pod uid, container id). A new container of a pod that still holds an address (a sandbox
 * recreated without a DEL) takes that address over; otherwise the pod gets the idle address that rested
 * longest on the fullest in-use ENI: packing keeps ENIs free to go, resting maximises quarantine.
 */
export function decideAllocateIp(command: AllocateIp, state: NodeState): NodeEvent[] {
  const info = registered(state);
  const { pod, containerId, owner, idempotencyKey, now } = command;
  required('pod.uid', pod.uid);
  required('containerId', containerId);
  if (findAllocation(state, pod.uid, containerId)) {
    return [];
  }
  const { held, takeOver, idle } = survey(state, pod.uid);
  const chosen = takeOver ?? idle;
  if (!takeOver && held >= info.maxPods) {
    throw exhausted('max-pods', `node ${info.node} already networks ${held} of ${info.maxPods} pods`);
  }
  if (!chosen) {
    throw exhausted('no-idle-ip', `node ${info.node} has no idle address`);
  }
  const data = {
    node: info.node,
    ip: chosen.ip,
    eniId: chosen.eniId,
    pod,
    containerId,
    owner,
    idempotencyKey,
    at: now,
  };
  return [{ type: 'IpAllocated', data }];
}

const exhausted = (reason: string, message: string): DomainError =>
  new DomainError('resource-exhausted', message, { reason });

interface Survey {
  /** Addresses held by pods (allocated or releasing). */
  held: number;
  /** The lowest address the pod itself holds as allocated (a new container takes it over). */
  takeOver: IpState | undefined;
  /** The idle address a new pod gets: see `betterIdle`. */
  idle: IpState | undefined;
}

/** One look at every address (two passes, no sorting): what decideAllocateIp needs to know. */
function survey(state: NodeState, podUid: string): Survey {
  const ips = [...state.ips.values()];
  const used = new Map<string, number>();
  let held = 0;
  let takeOver: IpState | undefined;
  for (const ip of ips) {
    if (ip.status === 'allocated' || ip.status === 'releasing') {
      held += 1;
      if (
        ip.status === 'allocated' &&
        ip.allocation?.pod.uid === podUid &&
        (!takeOver || byAddress(ip, takeOver) < 0)
      ) {
        takeOver = ip;
      }
    }
    if (ip.status === 'allocated' || ip.status === 'releasing' || ip.status === 'cooling') {
      used.set(ip.eniId, (used.get(ip.eniId) ?? 0) + 1);
    }
  }
  let idle: { ip: IpState; used: number } | undefined;
  for (const ip of ips) {
    if (isAllocatable(state, ip)) {
      const candidate = { ip, used: used.get(ip.eniId) ?? 0 };
      if (!idle || betterIdle(candidate, idle) < 0) {
        idle = candidate;
      }
    }
  }
  return { held, takeOver, idle: idle?.ip };
}

const byAddress = (a: IpState, b: IpState): number => compareIps(a.ip, b.ip);

/**
 * The order in which idle addresses are handed out: the fullest ENI first (packing keeps ENIs free to go),
 * then the ENI id, then the address that rested longest (quarantine), then the lowest address.
 */
function betterIdle(a: { ip: IpState; used: number }, b: { ip: IpState; used: number }): number {
  return (
    b.used - a.used ||
    (a.ip.eniId < b.ip.eniId ? -1 : a.ip.eniId > b.ip.eniId ? 1 : 0) ||
    a.ip.sinceMs - b.ip.sinceMs ||
    byAddress(a.ip, b.ip)
  );
}

/** Unknown or already releasing: nothing to record (the caller may retry freely). */
export function decideRequestRelease(command: RequestRelease, state: NodeState): NodeEvent[] {
  const info = registered(state);
  const allocation = findAllocation(state, command.podUid, command.containerId);
  if (!allocation || allocation.status === 'releasing') {
    return [];
  }
  const { ip, pod, containerId } = allocation;
  return [
    {
      type: 'IpReleaseRequested',
      data: { node: info.node, ip, pod, containerId, reason: command.reason, at: command.now },
    },
  ];
}

/**
 * The node confirmed teardown: record it, and release the address into its cooldown. Releasing what the
 * ledger does not hold (an unknown pod, a repeated DEL) records nothing: CNI DEL must be idempotent.
 */
export function decideReleaseIp(command: ReleaseIp, state: NodeState): NodeEvent[] {
  const info = registered(state);
  if (!Number.isFinite(command.cooldownSeconds) || command.cooldownSeconds < 0) {
    throw new DomainError('invalid-argument', 'cooldownSeconds: must be >= 0', { field: 'cooldownSeconds' });
  }
  const allocation = findAllocation(state, command.podUid, command.containerId);
  if (!allocation) {
    return [];
  }
  const { ip, pod, containerId, eni } = allocation;
  const at = command.now;
  const cooldownUntil = addSeconds(at, command.cooldownSeconds);
  return [
    { type: 'PodTeardownConfirmed', data: { node: info.node, ip, pod, containerId, at } },
    {
      type: 'IpReleased',
      data: { node: info.node, ip, eniId: eni.eniId, pod, containerId, reason: command.reason, cooldownUntil, at },
    },
  ];
}

export function decideEndCooldowns(command: EndCooldowns, state: NodeState): NodeEvent[] {
  const info = registered(state);
  return expiredCooldowns(state, command.now).map((ip) => ({
    type: 'IpCooldownEnded',
    data: { node: info.node, ip: ip.ip, at: command.now },
  }));
}
