import type { EventMetadata } from '@ipledger/event-store';
import type { NodeStateCache } from '../node-state/node-state.cache.js';
import type { PoolMaintainer } from '../pool/pool-maintainer.js';
import type { NodeView, RegisterNodeCommand } from '../ports/index.js';
import type { InstanceLimitsCache } from './instance-limits.cache.js';
import type { LedgerViewsReader } from './ledger-views.reader.js';

/** RegisterNode: limits from DescribeInstanceTypes (cached per type), then `NodeRegistered` unless already so. */
export class RegisterNodeHandler {
  constructor(
    private readonly cache: NodeStateCache,
    private readonly limits: InstanceLimitsCache,
    private readonly maintainer: PoolMaintainer,
    private readonly views: LedgerViewsReader,
  ) {}

  async register(request: RegisterNodeCommand, metadata: Partial<EventMetadata> = {}): Promise<NodeView> {
    const limits = await this.limits.get(request.instanceType);
    const { node, instanceId, instanceType, zone, mode } = request;
    await this.cache.execute(
      node,
      () => ({
        type: 'RegisterNode',
        node,
        instanceId,
        instanceType,
        zone,
        mode,
        limits,
        now: new Date().toISOString(),
      }),
      metadata,
    );
    // A node registering again (agent restart) gets a cycle too: it may have waited for its pool.
    this.maintainer.trigger(node);
    return this.views.nodeView(node);
  }
}
