import { DomainError } from '@ipledger/domain';
import type { AllocationRecord, AllocationRepository, PodQuery } from '../projections/allocation.repository.js';
import type { EniRecord, EniRepository } from '../projections/eni.repository.js';
import type { IpRecord, IpRepository } from '../projections/ip.repository.js';
import type { NodeRecord, NodeRepository } from '../projections/node.repository.js';
import type { AllocationResult, EniView, NodeView, PoolView } from '../ports/index.js';
import { prefixLengthOf } from './prefix-length.js';

export interface PoolTargets {
  minPoolSize: number;
  maxPoolSize: number;
}

/**
 * The read side of the API, from the projections: they are written in the append transactions, so every
 * replica reads the same committed truth without asking the node caches.
 */
export class LedgerViewsReader {
  constructor(
    private readonly nodes: NodeRepository,
    private readonly enis: EniRepository,
    private readonly ips: IpRepository,
    private readonly allocations: AllocationRepository,
    private readonly targets: () => PoolTargets,
    private readonly serviceCidr: () => string | null,
  ) {}

  async getAllocation(query: { pod?: PodQuery; ip?: string }): Promise<AllocationResult> {
    let found: AllocationRecord | null;
    if (query.ip) {
      found = await this.allocations.findActiveByIp(query.ip);
    } else if (query.pod && (query.pod.uid || (query.pod.namespace && query.pod.name))) {
      found = (await this.allocations.findActiveByPod(query.pod)).at(-1) ?? null;
    } else {
      throw new DomainError('invalid-argument', 'pod or ip: one of them is required', { field: 'pod' });
    }
    if (!found) {
      throw new DomainError('not-found', `no active allocation for ${query.ip ?? describePod(query.pod)}`);
    }
    const [view] = await this.toAllocations([found]);
    return view;
  }

  async listAllocations(node: string): Promise<AllocationResult[]> {
    return this.toAllocations(await this.allocations.listActiveByNode(node));
  }

  async describePool(node: string): Promise<PoolView> {
    const record = await this.requireNode(node);
    return this.poolView(record, await this.enis.listByNode(node), await this.ips.listByNode(node));
  }

  async nodeView(node: string): Promise<NodeView> {
    return this.toNodeView(await this.requireNode(node));
  }

  async listNodes(): Promise<NodeView[]> {
    return Promise.all((await this.nodes.list()).map((n) => this.toNodeView(n)));
  }

  private async requireNode(node: string): Promise<NodeRecord> {
    const record = await this.nodes.findByName(node);
    if (!record) {
      throw new DomainError('failed-precondition', `node ${node} is not registered`, { reason: 'node-not-registered' });
    }
    return record;
  }

  private async toNodeView(node: NodeRecord): Promise<NodeView> {
    const [enis, ips] = await Promise.all([this.enis.listByNode(node.name), this.ips.listByNode(node.name)]);
    const pool = this.poolView(node, enis, ips);
    return {
      ...{ node: node.name, instanceId: node.instanceId, instanceType: node.instanceType, zone: node.zone },
      ...{ mode: node.mode, limits: node.limits, maxPods: node.maxPods, enis: pool.enis, pool },
      registeredAt: node.registeredAt.toISOString(),
    };
  }

  private poolView(node: NodeRecord, enis: EniRecord[], ips: IpRecord[]): PoolView {
    const count = (state: IpRecord['state']) => ips.filter((ip) => ip.state === state).length;
    return {
      node: node.name,
      idle: ips.filter((ip) => ip.state === 'idle' && enis.some((e) => e.id === ip.eniId && e.status === 'InUse'))
        .length,
      allocated: count('allocated'),
      cooling: count('cooling'),
      releasing: count('releasing'),
      enis: enis.map((eni) => toEniView(eni, ips)),
      targets: this.targets(),
      maxPods: node.maxPods,
    };
  }

  private async toAllocations(records: AllocationRecord[]): Promise<AllocationResult[]> {
    const enis = new Map((await this.enis.findByIds(records.map((r) => r.eniId))).map((e) => [e.id, e]));
    const modes = new Map<string, NodeRecord | null>();
    for (const node of new Set(records.map((r) => r.node))) {
      modes.set(node, await this.nodes.findByName(node));
    }
    return records.map((r) => {
      const eni = enis.get(r.eniId);
      const cidr = eni?.vswitchCidr ?? '';
      return {
        ...{ pod: r.pod, node: r.node, ip: r.ip, ipv6: '', prefixLength: cidr ? prefixLengthOf(cidr) : 32 },
        ...{ gateway: eni?.gateway ?? '', vswitchId: eni?.vswitchId ?? '', vswitchCidr: cidr },
        eni: { id: r.eniId, mac: eni?.mac ?? '', trunk: eni?.trunk ?? false, vlanId: 0 },
        mode: modes.get(r.node)?.mode ?? 'eniip',
        serviceCidr: this.serviceCidr() ?? '',
        fixed: false,
        containerId: r.containerId,
        allocatedAt: r.allocatedAt.toISOString(),
      };
    });
  }
}

function toEniView(eni: EniRecord, ips: IpRecord[]): EniView {
  return {
    ...{ id: eni.id, mac: eni.mac, vswitchId: eni.vswitchId, vswitchCidr: eni.vswitchCidr, gateway: eni.gateway },
    ...{ primaryIp: eni.primaryIp, status: eni.status, deviceIndex: eni.deviceIndex ?? 0, trunk: eni.trunk },
    ips: ips.filter((ip) => ip.eniId === eni.id).map((ip) => ip.ip),
  };
}

const describePod = (pod: PodQuery | undefined): string =>
  pod?.uid ? `pod uid ${pod.uid}` : `pod ${pod?.namespace ?? ''}/${pod?.name ?? ''}`;
