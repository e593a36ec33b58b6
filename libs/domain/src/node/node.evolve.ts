// Folds node events into NodeState. Pure and total: one exhaustive switch, one small function per fact.
//
// A fold works on a draft (node-draft.ts) that copies each record of the state (ENIs, pending ENIs,
// addresses, pods) the first time an event changes it, and from then on changes its own copy. Folding the
// events of one command therefore copies the address map once, not once per event; the state handed in is
// never touched, and address and ENI entries are replaced, never changed, so earlier states stay as they were.
import {
  type CloudCallFailed,
  type EniAttached,
  type EniCreateRequested,
  type EniCreated,
  type IpAllocated,
  type IpReleased,
  type NodeEvent,
} from '../events.js';
import { epochMsOrNaN } from '../instant.js';
import { NodeDraft } from './node-draft.js';
import { type EniState, type IpState, type NodeState, podKey } from './node.state.js';

export function evolveNode(state: NodeState, event: NodeEvent): NodeState {
  return evolveNodeAll(state, [event]);
}

/** The same state as `events.reduce(evolveNode, state)`, with each record copied at most once. */
export function evolveNodeAll(state: NodeState, events: readonly NodeEvent[]): NodeState {
  if (events.length === 0) {
    return state;
  }
  const draft = new NodeDraft(state);
  for (const event of events) {
    fold(draft, event);
  }
  return draft.finish();
}

function fold(draft: NodeDraft, event: NodeEvent): void {
  switch (event.type) {
    case 'NodeRegistered': {
      const { at, ...info } = event.data;
      draft.info = { ...info, registeredAt: at };
      return;
    }
    case 'EniCreateRequested':
      return onEniCreateRequested(draft, event.data);
    case 'EniCreated':
      return onEniCreated(draft, event.data);
    case 'EniCreateFailed':
      return draft.deletePendingEni(event.data.clientToken);
    case 'EniAttachRequested':
      return draft.patchEni(event.data.eniId, { status: 'attaching' });
    case 'EniAttached':
      return onEniAttached(draft, event.data);
    case 'IpsAssigned':
      return addIdleIps(draft, event.data.eniId, event.data.ips, false, event.data.at);
    case 'IpAllocated':
      return onIpAllocated(draft, event.data);
    case 'IpReleaseRequested': {
      const { ip, reason, at } = event.data;
      const sinceMs = epochMsOrNaN(at);
      draft.podActivity(sinceMs);
      return draft.patchIp(ip, (s) => ({ ...s, status: 'releasing', since: at, sinceMs, releaseReason: reason }));
    }
    case 'PodTeardownConfirmed':
      draft.podActivity(epochMsOrNaN(event.data.at));
      return draft.patchIp(event.data.ip, (s) => ({ ...s, teardownConfirmedAt: event.data.at }));
    case 'IpReleased':
      return onIpReleased(draft, event.data);
    case 'IpCooldownEnded': {
      const { ip, at } = event.data;
      const sinceMs = epochMsOrNaN(at);
      return draft.patchIp(ip, (s) => idleIp(s.ip, s.eniId, s.primary, at, sinceMs));
    }
    case 'IpsUnassignRequested': {
      const at = event.data.at;
      const sinceMs = epochMsOrNaN(at);
      for (const ip of event.data.ips) {
        draft.patchIp(ip, (s) => ({ ...s, status: 'unassigning', since: at, sinceMs }));
      }
      return;
    }
    case 'IpsUnassigned':
      return draft.deleteIps(event.data.ips);
    case 'EniDetachRequested':
      return draft.patchEni(event.data.eniId, { status: 'detaching' });
    case 'EniDetached':
      return draft.patchEni(event.data.eniId, { status: 'detached', deviceIndex: null });
    case 'EniDeleted':
      draft.patchEni(event.data.eniId, { status: 'deleted', deviceIndex: null });
      return dropEniIps(draft, event.data.eniId);
    case 'CloudCallFailed':
      return onCloudCallFailed(draft, event.data);
  }
}

function onEniCreateRequested(draft: NodeDraft, data: EniCreateRequested['data']): void {
  const { clientToken, vswitch, securityGroupIds, at } = data;
  draft.pendingEnis()[clientToken] = { clientToken, vswitch, securityGroupIds, requestedAt: at };
}

function onEniCreated(draft: NodeDraft, data: EniCreated['data']): void {
  const { eniId, mac, vswitch, primaryIp, securityGroupIds, clientToken, trunk, at } = data;
  const eni: EniState = {
    ...{ eniId, mac, vswitch, primaryIp, securityGroupIds, clientToken, trunk },
    ...{ status: 'available', deviceIndex: null, createdAt: at },
  };
  draft.deletePendingEni(clientToken);
  draft.enis()[eniId] = eni;
}

/** Once attached, the ENI's primary address is a pod address like the ones assigned later. */
function onEniAttached(draft: NodeDraft, data: EniAttached['data']): void {
  const { eniId, mac, deviceIndex, at } = data;
  draft.patchEni(eniId, { status: 'in-use', mac, deviceIndex });
  const eni = draft.eni(eniId);
  if (eni) {
    addIdleIps(draft, eniId, [eni.primaryIp], true, at);
  }
}

/** Also covers a new container of the same pod taking over the pod's address: the old key is dropped. */
function onIpAllocated(draft: NodeDraft, data: IpAllocated['data']): void {
  const { ip, pod, containerId, owner, idempotencyKey, at } = data;
  const previous = draft.ip(ip)?.allocation;
  if (previous) {
    draft.deletePod(podKey(previous.pod.uid, previous.containerId));
  }
  const allocation = { pod, containerId, owner, idempotencyKey, at };
  const sinceMs = epochMsOrNaN(at);
  draft.podActivity(sinceMs);
  draft.patchIp(ip, (s) => ({ ...s, status: 'allocated', since: at, sinceMs, allocation, releaseReason: null }));
  draft.pods().set(podKey(pod.uid, containerId), ip);
}

function onIpReleased(draft: NodeDraft, data: IpReleased['data']): void {
  const { ip, pod, containerId, reason, cooldownUntil, at } = data;
  const [sinceMs, cooldownUntilMs] = [epochMsOrNaN(at), epochMsOrNaN(cooldownUntil)];
  draft.podActivity(sinceMs);
  draft.patchIp(ip, (s) => ({
    ...s,
    ...{ status: 'cooling', since: at, sinceMs, allocation: null, releaseReason: reason },
    ...{ cooldownUntil, cooldownUntilMs },
  }));
  draft.deletePod(podKey(pod.uid, containerId));
}

/**
 * A failed attach that will not be retried leaves the ENI Available in the cloud; say so, or the planner would
 * count it as capacity in flight forever. Other failures change nothing until a later fact does.
 */
function onCloudCallFailed(draft: NodeDraft, failure: CloudCallFailed['data']): void {
  draft.lastCloudFailure = failure;
  const eni = failure.eniId === null ? undefined : draft.eni(failure.eniId);
  if (failure.api === 'AttachNetworkInterface' && !failure.retryable && eni?.status === 'attaching') {
    draft.patchEni(eni.eniId, { status: 'available' });
  }
}

const idleIp = (ip: string, eniId: string, primary: boolean, at: string, sinceMs: number): IpState => ({
  ...{ ip, eniId, primary, status: 'idle', since: at, sinceMs, allocation: null },
  ...{ releaseReason: null, teardownConfirmedAt: null, cooldownUntil: null, cooldownUntilMs: null },
});

function addIdleIps(draft: NodeDraft, eniId: string, ips: readonly string[], primary: boolean, at: string): void {
  const sinceMs = epochMsOrNaN(at);
  const map = draft.ips();
  for (const ip of ips) {
    if (!map.has(ip)) {
      map.set(ip, idleIp(ip, eniId, primary, at, sinceMs));
    }
  }
}

function dropEniIps(draft: NodeDraft, eniId: string): void {
  const gone = [...draft.ipsView().values()].filter((ip) => ip.eniId === eniId);
  draft.deleteIps(gone.map((ip) => ip.ip));
  for (const { allocation } of gone) {
    if (allocation) {
      draft.deletePod(podKey(allocation.pod.uid, allocation.containerId));
    }
  }
}
