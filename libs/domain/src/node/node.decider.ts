// The node aggregate (stream `node-<name>`) as one decider: dispatch only; the rules live next door.
import { type Decider } from '../decider.js';
import { type NodeEvent } from '../events.js';
import { type NodeCommand } from './node.commands.js';
import {
  decideRecordEniAttached,
  decideRecordEniCreated,
  decideRecordEniCreateFailed,
  decideRecordEniDeleted,
  decideRecordEniDetached,
  decideRecordIpsAssigned,
  decideRecordIpsUnassigned,
  decideRequestEniAttach,
  decideRequestEniCreate,
  decideRequestEniDetach,
  decideRequestIpsUnassign,
} from './node-cloud.decider.js';
import {
  decideAllocateIp,
  decideEndCooldowns,
  decideRegisterNode,
  decideReleaseIp,
  decideRequestRelease,
} from './node-pods.decider.js';
import { evolveNode } from './node.evolve.js';
import { type NodeState, initialNodeState } from './node.state.js';
import { registered } from './node-guards.js';

export function decideNode(command: NodeCommand, state: NodeState): NodeEvent[] {
  switch (command.type) {
    case 'RegisterNode':
      return decideRegisterNode(command, state);
    case 'AllocateIp':
      return decideAllocateIp(command, state);
    case 'RequestRelease':
      return decideRequestRelease(command, state);
    case 'ReleaseIp':
      return decideReleaseIp(command, state);
    case 'EndCooldowns':
      return decideEndCooldowns(command, state);
    case 'RequestEniCreate':
      return decideRequestEniCreate(command, state);
    case 'RecordEniCreated':
      return decideRecordEniCreated(command, state);
    case 'RecordEniCreateFailed':
      return decideRecordEniCreateFailed(command, state);
    case 'RequestEniAttach':
      return decideRequestEniAttach(command.eniId, command.now, state);
    case 'RecordEniAttached':
      return decideRecordEniAttached(command, state);
    case 'RecordIpsAssigned':
      return decideRecordIpsAssigned(command, state);
    case 'RequestIpsUnassign':
      return decideRequestIpsUnassign(command, state);
    case 'RecordIpsUnassigned':
      return decideRecordIpsUnassigned(command, state);
    case 'RequestEniDetach':
      return decideRequestEniDetach(command.eniId, command.now, state);
    case 'RecordEniDetached':
      return decideRecordEniDetached(command.eniId, command.now, state);
    case 'RecordEniDeleted':
      return decideRecordEniDeleted(command.eniId, command.now, state);
    case 'RecordCloudCallFailed': {
      const { type: _type, now, ...failure } = command;
      return [{ type: 'CloudCallFailed', data: { node: registered(state).node, ...failure, at: now } }];
    }
  }
}

export const nodeDecider: Decider<NodeCommand, NodeState, NodeEvent> = {
  decide: decideNode,
  evolve: evolveNode,
  initialState: initialNodeState,
};
