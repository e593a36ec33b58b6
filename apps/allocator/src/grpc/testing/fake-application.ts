// Fake application services for the edge's own specs: they record what the controller passed and answer
// canned views, or throw what a test tells them to. Only specs import this file.
import { Module } from '@nestjs/common';
import {
  ALLOCATION_SERVICE,
  type AllocationResult,
  type AllocationService,
  type CallContext,
  HISTORY_SERVICE,
  type HistoryEntryView,
  type HistoryService,
  NODE_SERVICE,
  type NodeService,
  type NodeView,
  POOL_QUERY_SERVICE,
  type PoolQueryService,
  type PoolView,
} from '../../ports/index.js';
import { type Metrics, type PoolIpsSample } from '@ipledger/telemetry';

export const sampleAllocation = (node = 'node-a'): AllocationResult => ({
  pod: { namespace: 'default', name: 'web-0', uid: '9f1c2a4e-0b5d-4c1e-8a57-1f2e3d4c5b6a' },
  node,
  ip: '192.168.10.21',
  ipv6: '',
  prefixLength: 24,
  gateway: '192.168.10.253',
  vswitchId: 'vsw-a1',
  vswitchCidr: '192.168.10.0/24',
  eni: { id: 'eni-01', mac: '00:16:3e:00:00:01', trunk: false, vlanId: 0 },
  mode: 'eniip',
  serviceCidr: '172.21.0.0/20',
  fixed: false,
  containerId: 'c0ffee',
  allocatedAt: '2026-11-21T06:00:00.000Z',
});

export const samplePool = (node = 'node-a'): PoolView => ({
  node,
  idle: 3,
  allocated: 1,
  cooling: 1,
  releasing: 0,
  enis: [
    {
      id: 'eni-01',
      mac: '00:16:3e:00:00:01',
      vswitchId: 'vsw-a1',
      vswitchCidr: '192.168.10.0/24',
      gateway: '192.168.10.253',
      primaryIp: '192.168.10.20',
      status: 'InUse',
      ips: ['192.168.10.20', '192.168.10.21'],
      deviceIndex: 1,
      trunk: false,
    },
  ],
  targets: { minPoolSize: 2, maxPoolSize: 5 },
  maxPods: 27,
});

export const sampleNode = (node = 'node-a'): NodeView => ({
  node,
  instanceId: 'i-abc123',
  instanceType: 'ecs.g7.large',
  zone: 'cn-hangzhou-i',
  mode: 'eniip',
  limits: {
    adapters: 3,
    ipv4PerAdapter: 10,
    ipv6PerAdapter: 10,
    totalAdapters: 3,
    memberAdapters: 0,
    trunkSupported: false,
  },
  maxPods: 20,
  enis: samplePool(node).enis,
  pool: samplePool(node),
  registeredAt: '2026-11-21T05:00:00.000Z',
});

export interface RecordedCall {
  method: string;
  input: unknown;
  ctx: CallContext;
}

/** The state all fakes share: calls seen, and the error the next call throws (if any). */
export class FakeApplication {
  calls: RecordedCall[] = [];
  failWith: Error | null = null;
  history: HistoryEntryView[] = [];
  /** Unary answers wait until this promise settles (to hold a call in flight). */
  holdUntil: Promise<void> = Promise.resolve();

  reset(): void {
    this.calls = [];
    this.failWith = null;
    this.history = [];
    this.holdUntil = Promise.resolve();
  }

  lastCall(): RecordedCall {
    const call = this.calls.at(-1);
    if (!call) {
      throw new Error('no call reached the application');
    }
    return call;
  }

  async record<T>(method: string, input: unknown, ctx: CallContext, answer: () => T): Promise<T> {
    this.calls.push({ method, input, ctx });
    const failure = this.failWith;
    await this.holdUntil;
    if (failure !== null) {
      throw failure;
    }
    return answer();
  }

  readonly allocations: AllocationService = {
    allocateIp: (command, ctx) => this.record('allocateIp', command, ctx, () => sampleAllocation(command.node)),
    releaseIp: (command, ctx) =>
      this.record('releaseIp', command, ctx, () => ({
        released: true,
        ip: '192.168.10.21',
        heldUntil: '2026-11-21T06:01:00.000Z',
      })),
    getAllocation: (query, ctx) => this.record('getAllocation', query, ctx, () => sampleAllocation()),
    listAllocations: (node, ctx) => this.record('listAllocations', node, ctx, () => [sampleAllocation(node)]),
  };

  readonly nodes: NodeService = {
    registerNode: (command, ctx) => this.record('registerNode', command, ctx, () => sampleNode(command.node)),
    listNodes: (ctx) => this.record('listNodes', null, ctx, () => [sampleNode('node-a'), sampleNode('node-b')]),
  };

  readonly pools: PoolQueryService = {
    describePool: (node, ctx) => this.record('describePool', node, ctx, () => samplePool(node)),
  };

  readonly histories: HistoryService = {
    history: (query, ctx) => {
      this.calls.push({ method: 'history', input: query, ctx });
      const entries = this.history;
      const failure = this.failWith;
      return (async function* () {
        for (const entry of entries) {
          await Promise.resolve();
          yield entry;
        }
        if (failure !== null) {
          throw failure;
        }
      })();
    },
  };

  module(): unknown {
    @Module({
      providers: [
        { provide: ALLOCATION_SERVICE, useValue: this.allocations },
        { provide: NODE_SERVICE, useValue: this.nodes },
        { provide: POOL_QUERY_SERVICE, useValue: this.pools },
        { provide: HISTORY_SERVICE, useValue: this.histories },
      ],
      exports: [ALLOCATION_SERVICE, NODE_SERVICE, POOL_QUERY_SERVICE, HISTORY_SERVICE],
    })
    class FakeApplicationModule {}
    return FakeApplicationModule;
  }
}

/** Metrics that remember what was recorded (Metrics is our own port). */
export class RecordingMetrics implements Metrics {
  allocateDurations: { seconds: number; code: string }[] = [];
  recordAllocateDuration(seconds: number, attributes: { code: string }): void {
    this.allocateDurations.push({ seconds, code: attributes.code });
  }
  countCloudCall(): void {}
  countCloudThrottled(): void {}
  setOutboxLag(): void {}
  recordAgentApplyDuration(): void {}
  observePoolIps(_source: () => Iterable<PoolIpsSample>): () => void {
    return () => undefined;
  }
}
