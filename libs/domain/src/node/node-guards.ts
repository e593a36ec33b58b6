// Refusals shared by the node deciders.
import { DomainError } from '../errors.js';
import { type EniState, type NodeEniStatus, type NodeInfo, type NodeState } from './node.state.js';

export function registered(state: NodeState): NodeInfo {
  if (!state.info) {
    throw new DomainError('failed-precondition', 'the node is not registered', { reason: 'node-not-registered' });
  }
  return state.info;
}

export function knownEni(state: NodeState, eniId: string): EniState {
  const eni = state.enis[eniId];
  if (!eni) {
    throw new DomainError('not-found', `ENI ${eniId} is not on this node`, { eniId });
  }
  return eni;
}

export function eniIn(eni: EniState, allowed: readonly NodeEniStatus[], action: string): void {
  if (!allowed.includes(eni.status)) {
    throw new DomainError('illegal-state', `cannot ${action} ENI ${eni.eniId} while it is ${eni.status}`, {
      reason: 'eni-status',
      eniId: eni.eniId,
      status: eni.status,
    });
  }
}

export function required(field: string, value: string): void {
  if (value.trim() === '') {
    throw new DomainError('invalid-argument', `${field}: must not be empty`, { field });
  }
}
