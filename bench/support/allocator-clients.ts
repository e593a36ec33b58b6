// Several gRPC channels to the allocator, each with its own connection (a local subchannel pool), so that
// many concurrent callers are not all funnelled through one HTTP/2 connection.
import { type AllocatorClient, createAllocatorClient } from '@ipledger/proto';

export function allocatorChannels(address: string, count: number): AllocatorClient[] {
  return Array.from({ length: count }, () =>
    createAllocatorClient(address, {
      defaultTimeoutMs: 30_000,
      channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
    }),
  );
}
