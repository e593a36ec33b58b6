// On a mutual-TLS endpoint, lets a call through only when its certificate's identity may make it
// (node-access.policy.ts). On a plaintext endpoint there is no identity to check and every call passes.
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { GRPC_EDGE_OPTIONS, type GrpcEdgeOptions } from '../grpc/grpc-edge.options.js';
import { rpcNameOf } from '../grpc/rpc-name.js';
import { authorizeCall } from './node-access.policy.js';
import { peerIdentityOf } from './peer-identity.js';

@Injectable()
export class NodeIdentityGuard implements CanActivate {
  constructor(@Inject(GRPC_EDGE_OPTIONS) private readonly options: GrpcEdgeOptions) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.options.mutualTls) {
      return true;
    }
    const identity = peerIdentityOf(context.getArgByIndex(2));
    authorizeCall(identity, rpcNameOf(context), context.switchToRpc().getData());
    return true;
  }
}
