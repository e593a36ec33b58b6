// Node decisions that record the cloud saga: each step is checked against what the ledger already knows, and
// repeating a step that was already recorded records nothing (the saga may retry after a crash).
import { DomainError } from '../errors.js';
import { type NodeEvent } from '../events.js';
import { podEniSlots, podIpsPerEni } from '../limits.js';
import {
  type RecordEniAttached,
  type RecordEniCreated,
  type RecordEniCreateFailed,
  type RecordIpsAssigned,
  type RecordIpsUnassigned,
  type RequestEniCreate,
  type RequestIpsUnassign,
} from './node.commands.js';
import { type NodeState, isLiveEni } from './node.state.js';
import { eniIn, knownEni, registered, required } from './node-guards.js';

export function decideRequestEniCreate(command: RequestEniCreate, state: NodeState): NodeEvent[] {
  const info = registered(state);
  const { clientToken, vswitch, securityGroupIds, now } = command;
  required('clientToken', clientToken);
  if (state.pendingEnis[clientToken] || Object.values(state.enis).some((e) => e.clientToken === clientToken)) {
    return [];
  }
  if (vswitch.zone !== info.zone) {
    throw new DomainError(
      'invalid-argument',
      `vswitch: ${vswitch.id} is in ${vswitch.zone}, the node in ${info.zone}`,
      {
        field: 'vswitch',
      },
    );
  }
  const slots = podEniSlots(info.mode, info.limits);
  const taken = Object.values(state.enis).filter(isLiveEni).length + Object.keys(state.pendingEnis).length;
  if (taken >= slots) {
    throw new DomainError('resource-exhausted', `node ${info.node} already has ${taken} of ${slots} pod ENIs`, {
      reason: 'eni-limit',
    });
  }
  return [{ type: 'EniCreateRequested', data: { node: info.node, clientToken, vswitch, securityGroupIds, at: now } }];
}

export function decideRecordEniCreated(command: RecordEniCreated, state: NodeState): NodeEvent[] {
  const info = registered(state);
  const { type: _type, now, ...created } = command;
  const existing = state.enis[created.eniId];
  if (existing) {
    if (existing.clientToken === created.clientToken) {
      return [];
    }
    throw new DomainError('illegal-state', `ENI ${created.eniId} was already created with another token`, {
      reason: 'eni-exists',
    });
  }
  if (!state.pendingEnis[created.clientToken]) {
    throw new DomainError('illegal-state', `no ENI creation pending under token ${created.clientToken}`, {
      reason: 'not-requested',
    });
  }
  return [{ type: 'EniCreated', data: { node: info.node, ...created, at: now } }];
}

/** Closing a request that is no longer pending (already created or failed) records nothing. */
export function decideRecordEniCreateFailed(command: RecordEniCreateFailed, state: NodeState): NodeEvent[] {
  const info = registered(state);
  const { type: _type, now, ...failure } = command;
  return state.pendingEnis[failure.clientToken]
    ? [{ type: 'EniCreateFailed', data: { node: info.node, ...failure, at: now } }]
    : [];
}

export function decideRequestEniAttach(eniId: string, now: string, state: NodeState): NodeEvent[] {
  const info = registered(state);
  const eni = knownEni(state, eniId);
  if (eni.status === 'attaching' || eni.status === 'in-use') {
    return [];
  }
  eniIn(eni, ['available'], 'attach');
  const slots = podEniSlots(info.mode, info.limits);
  const attached = Object.values(state.enis).filter((e) => ['attaching', 'in-use', 'detaching'].includes(e.status));
  if (attached.length >= slots) {
    throw new DomainError(
      'resource-exhausted',
      `instance ${info.instanceId} holds ${attached.length} of ${slots} pod ENIs`,
      {
        reason: 'eni-limit',
      },
    );
  }
  return [{ type: 'EniAttachRequested', data: { node: info.node, eniId, instanceId: info.instanceId, at: now } }];
}

export function decideRecordEniAttached(command: RecordEniAttached, state: NodeState): NodeEvent[] {
  const info = registered(state);
  const eni = knownEni(state, command.eniId);
  if (eni.status === 'in-use') {
    return [];
  }
  eniIn(eni, ['attaching'], 'record the attachment of');
  const { eniId, mac, deviceIndex, now } = command;
  return [
    { type: 'EniAttached', data: { node: info.node, eniId, instanceId: info.instanceId, mac, deviceIndex, at: now } },
  ];
}

/** Addresses the ENI already has are skipped; an address on another ENI, or one beyond the quota, is refused. */
export function decideRecordIpsAssigned(command: RecordIpsAssigned, state: NodeState): NodeEvent[] {
  const info = registered(state);
  const eni = knownEni(state, command.eniId);
  eniIn(eni, ['in-use'], 'assign addresses to');
  const fresh = [...new Set(command.ips)].filter((ip) => state.ips.get(ip)?.eniId !== eni.eniId);
  const elsewhere = fresh.find((ip) => state.ips.has(ip));
  if (elsewhere !== undefined) {
    throw new DomainError('illegal-state', `${elsewhere} already belongs to ENI ${state.ips.get(elsewhere)?.eniId}`, {
      reason: 'ip-on-other-eni',
    });
  }
  const quota = podIpsPerEni(info.mode, info.limits);
  const held = [...state.ips.values()].filter((ip) => ip.eniId === eni.eniId).length;
  if (held + fresh.length > quota) {
    throw new DomainError(
      'resource-exhausted',
      `ENI ${eni.eniId} would hold ${held + fresh.length} of ${quota} addresses`,
      {
        reason: 'eni-ip-limit',
      },
    );
  }
  return fresh.length === 0
    ? []
    : [{ type: 'IpsAssigned', data: { node: info.node, eniId: eni.eniId, ips: fresh, at: command.now } }];
}

/** Only idle secondary addresses may go back to the cloud; ones already on their way record nothing. */
export function decideRequestIpsUnassign(command: RequestIpsUnassign, state: NodeState): NodeEvent[] {
  const info = registered(state);
  const eni = knownEni(state, command.eniId);
  eniIn(eni, ['in-use'], 'unassign addresses from');
  const ips = [...new Set(command.ips)];
  for (const address of ips) {
    const ip = state.ips.get(address);
    if (ip?.eniId !== eni.eniId) {
      throw new DomainError('not-found', `${address} is not on ENI ${eni.eniId}`, { ip: address });
    }
    if (ip.primary || (ip.status !== 'idle' && ip.status !== 'unassigning')) {
      const why = ip.primary ? 'the primary address leaves only with its ENI' : `it is ${ip.status}`;
      throw new DomainError('illegal-state', `cannot unassign ${address}: ${why}`, {
        reason: 'ip-in-use',
        ip: address,
      });
    }
  }
  const fresh = ips.filter((ip) => state.ips.get(ip)?.status === 'idle');
  return fresh.length === 0
    ? []
    : [{ type: 'IpsUnassignRequested', data: { node: info.node, eniId: eni.eniId, ips: fresh, at: command.now } }];
}

export function decideRecordIpsUnassigned(command: RecordIpsUnassigned, state: NodeState): NodeEvent[] {
  const info = registered(state);
  const eni = knownEni(state, command.eniId);
  const ips = [...new Set(command.ips)].filter((ip) => state.ips.get(ip)?.eniId === eni.eniId);
  const unrequested = ips.find((ip) => state.ips.get(ip)?.status !== 'unassigning');
  if (unrequested !== undefined) {
    throw new DomainError('illegal-state', `${unrequested} was not being unassigned`, { reason: 'not-requested' });
  }
  return ips.length === 0
    ? []
    : [{ type: 'IpsUnassigned', data: { node: info.node, eniId: eni.eniId, ips, at: command.now } }];
}

/** An ENI may leave only when no pod holds, releases or cools an address on it. */
export function decideRequestEniDetach(eniId: string, now: string, state: NodeState): NodeEvent[] {
  const info = registered(state);
  const eni = knownEni(state, eniId);
  if (eni.status === 'detaching' || eni.status === 'detached' || eni.status === 'deleted') {
    return [];
  }
  eniIn(eni, ['in-use', 'attaching'], 'detach');
  const busy = [...state.ips.values()].find(
    (ip) => ip.eniId === eniId && ip.status !== 'idle' && ip.status !== 'unassigning',
  );
  if (busy) {
    throw new DomainError('illegal-state', `ENI ${eniId} still has ${busy.ip} ${busy.status}`, {
      reason: 'eni-in-use',
    });
  }
  return [{ type: 'EniDetachRequested', data: { node: info.node, eniId, at: now } }];
}

export function decideRecordEniDetached(eniId: string, now: string, state: NodeState): NodeEvent[] {
  const info = registered(state);
  const eni = knownEni(state, eniId);
  if (eni.status === 'detached' || eni.status === 'deleted') {
    return [];
  }
  eniIn(eni, ['detaching'], 'record the detachment of');
  return [{ type: 'EniDetached', data: { node: info.node, eniId, at: now } }];
}

/** Deleting is possible once the ENI hangs on no instance: never attached, or detached. */
export function decideRecordEniDeleted(eniId: string, now: string, state: NodeState): NodeEvent[] {
  const info = registered(state);
  const eni = knownEni(state, eniId);
  if (eni.status === 'deleted') {
    return [];
  }
  eniIn(eni, ['available', 'detached'], 'record the deletion of');
  return [{ type: 'EniDeleted', data: { node: info.node, eniId, at: now } }];
}
