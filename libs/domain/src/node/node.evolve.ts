// Folds node events into NodeState. Pure and total: one exhaustive switch, one small function per fact.
import {
  type CloudCallFailed,
  type EniAttached,
  type EniCreateRequested,
  type EniCreated,
  type IpAllocated,
  type IpReleased,
  type NodeEvent,
} from '../events.js';
import { type EniState, type IpState, type NodeState, podKey } from './node.state.js';

export function evolveNode(state: NodeState, event: NodeEvent): NodeState {
  switch (event.type) {
    case 'NodeRegistered': {
      const { at, ...info } = event.data;
      return { ...state, info: { ...info, registeredAt: at } };
    }
    case 'EniCreateRequested':
      return onEniCreateRequested(state, event.data);
    case 'EniCreated':
      return onEniCreated(state, event.data);
    case 'EniCreateFailed':
      return { ...state, pendingEnis: without(state.pendingEnis, event.data.clientToken) };
    case 'EniAttachRequested':
      return patchEni(state, event.data.eniId, { status: 'attaching' });
    case 'EniAttached':
      return onEniAttached(state, event.data);
    case 'IpsAssigned':
      return addIdleIps(state, event.data.eniId, event.data.ips, false, event.data.at);
    case 'IpAllocated':
      return onIpAllocated(state, event.data);
    case 'IpReleaseRequested': {
      const { ip, reason, at } = event.data;
      return patchIps(state, [ip], (s) => ({ ...s, status: 'releasing', since: at, releaseReason: reason }));
    }
    case 'PodTeardownConfirmed':
      return patchIps(state, [event.data.ip], (s) => ({ ...s, teardownConfirmedAt: event.data.at }));
    case 'IpReleased':
      return onIpReleased(state, event.data);
    case 'IpCooldownEnded':
      return patchIps(state, [event.data.ip], (s) => idleIp(s.ip, s.eniId, s.primary, event.data.at));
    case 'IpsUnassignRequested': {
      const at = event.data.at;
      return patchIps(state, event.data.ips, (s) => ({ ...s, status: 'unassigning', since: at }));
    }
    case 'IpsUnassigned':
      return { ...state, ips: without(state.ips, ...event.data.ips) };
    case 'EniDetachRequested':
      return patchEni(state, event.data.eniId, { status: 'detaching' });
    case 'EniDetached':
      return patchEni(state, event.data.eniId, { status: 'detached', deviceIndex: null });
    case 'EniDeleted':
      return dropEniIps(patchEni(state, event.data.eniId, { status: 'deleted', deviceIndex: null }), event.data.eniId);
    case 'CloudCallFailed':
      return onCloudCallFailed(state, event.data);
  }
}

function onEniCreateRequested(state: NodeState, data: EniCreateRequested['data']): NodeState {
  const { clientToken, vswitch, securityGroupIds, at } = data;
  const pending = { clientToken, vswitch, securityGroupIds, requestedAt: at };
  return { ...state, pendingEnis: { ...state.pendingEnis, [clientToken]: pending } };
}

function onEniCreated(state: NodeState, data: EniCreated['data']): NodeState {
  const { eniId, mac, vswitch, primaryIp, securityGroupIds, clientToken, trunk, at } = data;
  const eni: EniState = {
    ...{ eniId, mac, vswitch, primaryIp, securityGroupIds, clientToken, trunk },
    ...{ status: 'available', deviceIndex: null, createdAt: at },
  };
  return { ...state, pendingEnis: without(state.pendingEnis, clientToken), enis: { ...state.enis, [eniId]: eni } };
}

/** Once attached, the ENI's primary address is a pod address like the ones assigned later. */
function onEniAttached(state: NodeState, data: EniAttached['data']): NodeState {
  const { eniId, mac, deviceIndex, at } = data;
  const attached = patchEni(state, eniId, { status: 'in-use', mac, deviceIndex });
  const eni = attached.enis[eniId];
  return eni ? addIdleIps(attached, eniId, [eni.primaryIp], true, at) : attached;
}

/** Also covers a new container of the same pod taking over the pod's address: the old key is dropped. */
function onIpAllocated(state: NodeState, data: IpAllocated['data']): NodeState {
  const { ip, pod, containerId, owner, idempotencyKey, at } = data;
  const previous = state.ips[ip]?.allocation;
  const pods = previous ? without(state.pods, podKey(previous.pod.uid, previous.containerId)) : state.pods;
  const allocation = { pod, containerId, owner, idempotencyKey, at };
  const next = patchIps(state, [ip], (s) => ({
    ...s,
    status: 'allocated',
    since: at,
    allocation,
    releaseReason: null,
  }));
  return { ...next, pods: { ...pods, [podKey(pod.uid, containerId)]: ip } };
}

function onIpReleased(state: NodeState, data: IpReleased['data']): NodeState {
  const { ip, pod, containerId, reason, cooldownUntil, at } = data;
  const next = patchIps(state, [ip], (s) => ({
    ...s,
    ...{ status: 'cooling', since: at, allocation: null, releaseReason: reason, cooldownUntil },
  }));
  return { ...next, pods: without(state.pods, podKey(pod.uid, containerId)) };
}

/**
 * A failed attach that will not be retried leaves the ENI Available in the cloud; say so, or the planner would
 * count it as capacity in flight forever. Other failures change nothing until a later fact does.
 */
function onCloudCallFailed(state: NodeState, failure: CloudCallFailed['data']): NodeState {
  const next = { ...state, lastCloudFailure: failure };
  const eni = failure.eniId === null ? undefined : next.enis[failure.eniId];
  if (failure.api === 'AttachNetworkInterface' && !failure.retryable && eni?.status === 'attaching') {
    return patchEni(next, eni.eniId, { status: 'available' });
  }
  return next;
}

function without<T>(record: Readonly<Record<string, T>>, ...keys: string[]): Record<string, T> {
  const copy = { ...record };
  for (const key of keys) {
    delete copy[key];
  }
  return copy;
}

function patchEni(state: NodeState, eniId: string, patch: Partial<EniState>): NodeState {
  const eni = state.enis[eniId];
  return eni ? { ...state, enis: { ...state.enis, [eniId]: { ...eni, ...patch } } } : state;
}

function patchIps(state: NodeState, ips: readonly string[], patch: (ip: IpState) => IpState): NodeState {
  const next = { ...state.ips };
  for (const ip of ips) {
    const current = next[ip];
    if (current) {
      next[ip] = patch(current);
    }
  }
  return { ...state, ips: next };
}

const idleIp = (ip: string, eniId: string, primary: boolean, at: string): IpState => ({
  ...{ ip, eniId, primary, status: 'idle', since: at, allocation: null },
  ...{ releaseReason: null, teardownConfirmedAt: null, cooldownUntil: null },
});

function addIdleIps(state: NodeState, eniId: string, ips: readonly string[], primary: boolean, at: string): NodeState {
  const next = { ...state.ips };
  for (const ip of ips) {
    next[ip] ??= idleIp(ip, eniId, primary, at);
  }
  return { ...state, ips: next };
}

function dropEniIps(state: NodeState, eniId: string): NodeState {
  const gone = Object.values(state.ips).filter((ip) => ip.eniId === eniId);
  const keys = gone.flatMap((ip) => (ip.allocation ? [podKey(ip.allocation.pod.uid, ip.allocation.containerId)] : []));
  return { ...state, ips: without(state.ips, ...gone.map((ip) => ip.ip)), pods: without(state.pods, ...keys) };
}
