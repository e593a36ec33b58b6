// The RPC a Nest execution context serves, from the grpc-js call's path (/ipledger.v1.Allocator/AllocateIp).
import { type ArgumentsHost } from '@nestjs/common';

export function rpcNameOf(host: ArgumentsHost): string {
  const call = host.getArgByIndex<{ getPath?: () => string } | undefined>(2);
  const path = typeof call?.getPath === 'function' ? call.getPath() : '';
  return path.split('/').pop() || 'unknown';
}
