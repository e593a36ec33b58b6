// What a node identity may do: the node-scoped RPCs, for its own node only. Operators may do everything.
// Reads that range over other nodes (GetAllocation, History, ListNodes) are for operators.
import { type AllocatorRpc } from '@ipledger/proto';
import { AccessDeniedError } from './access-denied.error.js';
import { type PeerIdentity } from './peer-identity.js';

export const NODE_SCOPED_RPCS: readonly AllocatorRpc[] = [
  'RegisterNode',
  'AllocateIp',
  'ReleaseIp',
  'ListAllocations',
  'DescribePool',
];

/** Throws AccessDeniedError('permission-denied') when `identity` may not make this call. */
export function authorizeCall(identity: PeerIdentity, rpc: string, request: unknown): void {
  if (identity.kind !== 'node') {
    return;
  }
  if (!(NODE_SCOPED_RPCS as readonly string[]).includes(rpc)) {
    throw new AccessDeniedError(
      'permission-denied',
      `${rpc} is for operators; a node certificate may call ${NODE_SCOPED_RPCS.join(', ')}`,
    );
  }
  const node = (request as { node?: unknown } | null)?.node;
  if (node !== identity.name) {
    throw new AccessDeniedError(
      'permission-denied',
      `node: "${typeof node === 'string' ? node : ''}" is not this client's node (its certificate names "${identity.name}")`,
    );
  }
}
