// The port for node registration and the node list.
import { type NetworkMode } from '@ipledger/domain';
import { type NodeView } from './allocator.views.js';
import { type CallContext } from './call-context.js';

export interface RegisterNodeCommand {
  node: string;
  instanceId: string;
  instanceType: string;
  zone: string;
  /** `eniip` when the request left it empty. */
  mode: NetworkMode;
}

export interface NodeService {
  /** Idempotent: registering a known node again answers its current view. */
  registerNode(command: RegisterNodeCommand, ctx: CallContext): Promise<NodeView>;
  listNodes(ctx: CallContext): Promise<NodeView[]>;
}

export const NODE_SERVICE = Symbol('NODE_SERVICE');
