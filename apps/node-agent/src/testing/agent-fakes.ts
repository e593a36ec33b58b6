// Fakes of the agent's own ports for unit specs: an allocator that hands out addresses from a list and records
// every call, and a dataplane that records what it was asked and fails on request. Never fakes of grpc, NATS
// or the kernel tools themselves.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status, Metadata } from '@grpc/grpc-js';
import { AllocatorRpcError, type Allocation, type AllocatorClient, type EniView, type PodRef } from '@ipledger/proto';
import {
  type DataplaneProblem,
  type PodNetworkResult,
  type PodSpec,
  type PodTeardownSpec,
} from '../dataplane/index.js';
import { type KernelPort, type NetSnapshot } from '../kernel/index.js';

export const NODE = 'node-a';

export const ENI: EniView = {
  id: 'eni-1',
  mac: '00:16:3e:00:00:01',
  vswitch_id: 'vsw-1',
  vswitch_cidr: '10.0.2.0/24',
  gateway: '10.0.2.253',
  primary_ip: '10.0.2.10',
  status: 'InUse',
  ips: ['10.0.2.10', '10.0.2.11', '10.0.2.12'],
  device_index: 1,
  trunk: false,
};

export const rpcError = (rpc: string, code: status, details = 'refused'): AllocatorRpcError =>
  new AllocatorRpcError(rpc, code, details, new Metadata());

export interface Call {
  rpc: string;
  request: Record<string, unknown>;
}

type Allocator = Pick<
  AllocatorClient,
  'allocateIp' | 'releaseIp' | 'getAllocation' | 'listAllocations' | 'describePool'
>;

export class FakeAllocator implements Allocator {
  readonly calls: Call[] = [];
  readonly allocations = new Map<string, Allocation>();
  /** Set to make the next calls of an RPC fail. */
  readonly failures = new Map<string, Error>();
  private free: string[] = ['10.0.2.11', '10.0.2.12'];

  constructor(
    private readonly mode: 'eniip' | 'eni' = 'eniip',
    readonly enis: EniView[] = [ENI],
  ) {}

  allocateIp(request: Parameters<Allocator['allocateIp']>[0]): Promise<Allocation> {
    return this.answer('AllocateIp', request, () => {
      const containerId = request.container_id!;
      const existing = this.allocations.get(containerId);
      if (existing) {
        return existing;
      }
      const ip = this.mode === 'eni' ? ENI.primary_ip : this.free.shift();
      if (!ip) {
        throw rpcError('AllocateIp', status.RESOURCE_EXHAUSTED, 'no idle ip');
      }
      const allocation = allocationOf(request.pod as PodRef, containerId, ip, this.mode);
      this.allocations.set(containerId, allocation);
      return allocation;
    });
  }

  releaseIp(request: Parameters<Allocator['releaseIp']>[0]) {
    return this.answer('ReleaseIp', request, () => {
      const allocation = this.allocations.get(request.container_id!);
      this.allocations.delete(request.container_id!);
      return { released: allocation !== undefined, ip: allocation?.ip ?? '', held_until: '' };
    });
  }

  getAllocation(request: Parameters<Allocator['getAllocation']>[0]): Promise<Allocation> {
    return this.answer('GetAllocation', request, () => {
      const found = [...this.allocations.values()].find((a) => a.pod.uid === request.pod?.uid);
      if (!found) {
        throw rpcError('GetAllocation', status.NOT_FOUND, 'no allocation');
      }
      return found;
    });
  }

  listAllocations(request: Parameters<Allocator['listAllocations']>[0]) {
    return this.answer('ListAllocations', request, () => ({ allocations: [...this.allocations.values()] }));
  }

  describePool(request: Parameters<Allocator['describePool']>[0]) {
    return this.answer('DescribePool', request, () => ({
      node: NODE,
      idle: 0,
      allocated: this.allocations.size,
      cooling: 0,
      releasing: 0,
      enis: this.enis,
      targets: { min_pool_size: 0, max_pool_size: 5 },
      max_pods: 10,
    }));
  }

  rpcs(): string[] {
    return this.calls.map((c) => c.rpc);
  }

  private answer<T>(rpc: string, request: object, reply: () => T): Promise<T> {
    this.calls.push({ rpc, request: request as Record<string, unknown> });
    const failure = this.failures.get(rpc);
    if (failure) {
      return Promise.reject(failure);
    }
    return new Promise<T>((resolve) => resolve(reply()));
  }
}

export function allocationOf(pod: PodRef, containerId: string, ip: string, mode: 'eniip' | 'eni'): Allocation {
  return {
    pod,
    node: NODE,
    ip,
    ipv6: '',
    prefix_length: 24,
    gateway: ENI.gateway,
    vswitch_id: ENI.vswitch_id,
    vswitch_cidr: ENI.vswitch_cidr,
    eni: { id: ENI.id, mac: ENI.mac, trunk: false, vlan_id: 0 },
    mode,
    service_cidr: '172.21.0.0/20',
    fixed: false,
    container_id: containerId,
    allocated_at: '2026-11-21T10:00:00Z',
  };
}

export class FakeDataplane<Spec extends PodSpec, Teardown extends PodTeardownSpec> {
  readonly kind = 'policy-route' as const;
  readonly setups: Spec[] = [];
  readonly teardowns: Teardown[] = [];
  readonly checks: Spec[] = [];
  /** Ordered log shared with the allocator fake's calls, to assert teardown-before-release. */
  constructor(private readonly log: string[] = []) {}
  setupFailure: Error | null = null;
  problems: DataplaneProblem[] = [];

  setup(spec: Spec): Promise<PodNetworkResult> {
    this.log.push(`setup ${spec.containerId}`);
    this.setups.push(spec);
    if (this.setupFailure) {
      return Promise.reject(this.setupFailure);
    }
    return Promise.resolve({
      interfaces: [{ name: 'eth0', sandbox: spec.netns }],
      ips: [{ address: `${spec.ip}/32` }],
      routes: [],
    });
  }

  prepareLinks(spec: Pick<Spec, 'containerId'>): Promise<void> {
    this.log.push(`links ${spec.containerId}`);
    return Promise.resolve();
  }

  completeAddress(spec: Spec): Promise<PodNetworkResult> {
    return this.setup(spec);
  }

  isolate(spec: { containerId: string }): Promise<void> {
    this.log.push(`isolate ${spec.containerId}`);
    return Promise.resolve();
  }

  removeLinks(spec: { containerId: string }): Promise<void> {
    this.log.push(`remove-links ${spec.containerId}`);
    return Promise.resolve();
  }

  teardown(spec: Teardown): Promise<void> {
    this.log.push(`teardown ${spec.containerId}`);
    this.teardowns.push(spec);
    return Promise.resolve();
  }

  check(spec: Spec): Promise<DataplaneProblem[]> {
    this.checks.push(spec);
    return Promise.resolve(this.problems);
  }
}

/** Just enough of the kernel port for the pod service: which netns exist and the node's own address. */
export function fakeKernel(existing: Set<string>): Pick<KernelPort, 'netnsExists' | 'read'> {
  return {
    netnsExists: (target) => Promise.resolve(target.kind === 'host' || existing.has(target.netns)),
    read: (): Promise<NetSnapshot> =>
      Promise.resolve({
        links: [{ index: 2, name: 'eth0', mac: '00:16:3e:00:00:00', mtu: 1500, up: true }],
        addresses: [
          { dev: 'lo', ip: '127.0.0.1', prefix: 8 },
          { dev: 'eth0', ip: '10.0.1.5', prefix: 24 },
        ],
        routes: [],
        rules: [],
        neighbours: [],
      }),
  };
}

export function tempStateDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ipl-agent-spec-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
