import type {
  AllocateIpCommand,
  AllocationQuery,
  AllocationResult,
  AllocationService,
  CallContext,
  ReleaseIpCommand,
  ReleaseResult,
} from '../ports/index.js';
import type { AllocateIpHandler } from './allocate-ip.handler.js';
import { callMetadata } from './call-metadata.js';
import type { LedgerViewsReader } from './ledger-views.reader.js';
import type { ReleaseIpHandler } from './release-ip.handler.js';

/** The AllocationService port: writes through the node state cache, reads from the projections. */
export class LedgerAllocationService implements AllocationService {
  constructor(
    private readonly allocator: AllocateIpHandler,
    private readonly releaser: ReleaseIpHandler,
    private readonly views: LedgerViewsReader,
  ) {}

  allocateIp(command: AllocateIpCommand, ctx: CallContext): Promise<AllocationResult> {
    return this.allocator.allocate(command, callMetadata(ctx), ctx);
  }

  releaseIp(command: ReleaseIpCommand, ctx: CallContext): Promise<ReleaseResult> {
    return this.releaser.release(command, callMetadata(ctx));
  }

  getAllocation(query: AllocationQuery, _ctx: CallContext): Promise<AllocationResult> {
    return query.by === 'ip'
      ? this.views.getAllocation({ ip: query.ip })
      : this.views.getAllocation({ pod: { ...query.pod, uid: query.pod.uid ?? undefined } });
  }

  listAllocations(node: string, _ctx: CallContext): Promise<AllocationResult[]> {
    return this.views.listAllocations(node);
  }
}
