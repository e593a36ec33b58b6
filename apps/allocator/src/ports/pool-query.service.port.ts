// The port for reading a node's warm pool.
import { type PoolView } from './allocator.views.js';
import { type CallContext } from './call-context.js';

export interface PoolQueryService {
  /** FAILED_PRECONDITION-coded DomainError when the node is not registered. */
  describePool(node: string, ctx: CallContext): Promise<PoolView>;
}

export const POOL_QUERY_SERVICE = Symbol('POOL_QUERY_SERVICE');
