// Integration-test support: a test database, an in-process ecs-sim behind the real EcsCloudAdapter, and as
// many allocator cores on that one database as a test wants (each one plays a replica: its own caches,
// pools, locks and connections).
import { EcsCloudAdapter, type EcsCloudAdapterOptions } from '@ipledger/cloud';
import { type LoadedEniConfig, eniConfigFromObject } from '@ipledger/config';
import { createDataSource } from '@ipledger/event-store';
import { type TestDatabase, createTestDatabase } from '@ipledger/testing';
import type { DataSource } from 'typeorm';
import { type EcsSimOptions, type RunningEcsSim, startEcsSim } from '../../../ecs-sim/src/index.js';
import { AllocatorCore, type AllocatorCoreOptions } from '../allocator-core.js';
import type { CallContext, NodeView } from '../ports/index.js';
import { PROJECTION_ENTITIES } from '../projections/index.js';

export const ZONE = 'cn-hangzhou-h';

/**
 * Two /24s in zone h for pods, a /28 for exhaustion tests, a /24 in zone i that no node of zone h may use,
 * and one for the instances' primary ENIs. (The eni-config accepts real-looking ids only: vsw- and letters.)
 */
export const TEST_VSWITCHES = [
  { id: 'vsw-ith1', zoneId: ZONE, cidr: '10.1.1.0/24' },
  { id: 'vsw-ith2', zoneId: ZONE, cidr: '10.1.2.0/24' },
  { id: 'vsw-ithsmall', zoneId: ZONE, cidr: '10.1.255.240/28' },
  { id: 'vsw-iti1', zoneId: 'cn-hangzhou-i', cidr: '10.2.1.0/24' },
  { id: 'vsw-itnodes', zoneId: ZONE, cidr: '10.1.0.0/24' },
];

/** Pods on vsw-ith1 and vsw-ith2; a short cooldown so that tests can wait it out. */
export const TEST_ENI_CONFIG = {
  cluster_id: 'it-cluster',
  vswitches: { [ZONE]: ['vsw-ith1', 'vsw-ith2'], 'cn-hangzhou-i': ['vsw-iti1'] },
  security_group: 'sg-itone',
  max_pool_size: 5,
  min_pool_size: 0,
  ip_cooldown: '1s',
  vswitch_selection_policy: 'ordered',
};

export function callContext(actor = 'test/harness'): CallContext {
  return { actor, traceparent: null, signal: new AbortController().signal };
}

export interface CoreHarness {
  db: TestDatabase;
  sim: RunningEcsSim;
  cloud: EcsCloudAdapter;
  cores: AllocatorCore[];
  eniConfig: LoadedEniConfig;
  /** A new replica on the same database, started. */
  startCore(replicaId: string, overrides?: Partial<AllocatorCoreOptions>): Promise<AllocatorCore>;
  /** A connection of the test's own, for assertions. */
  ds: DataSource;
  /** Creates instances in ecs-sim and registers them through `core` as nodes `<prefix>-<i>`. */
  registerNodes(core: AllocatorCore, count: number, instanceType: string, prefix?: string): Promise<NodeView[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  label: string;
  sim?: EcsSimOptions;
  eniConfig?: Record<string, unknown>;
  core?: Partial<AllocatorCoreOptions>;
  adapter?: Partial<EcsCloudAdapterOptions>;
}

export async function startHarness(options: HarnessOptions): Promise<CoreHarness> {
  const db = await createTestDatabase(options.label);
  const sim = await startEcsSim({ vswitches: TEST_VSWITCHES, ...options.sim });
  const cloud = new EcsCloudAdapter({
    regionId: sim.regionId,
    endpoint: sim.endpoint,
    credentials: { accessKeyId: 'LTAIallocatorTests', accessKeySecret: 'allocatorTestsSecret' },
    retry: { maxAttempts: 8, baseDelayMs: 10, maxDelayMs: 200 },
    polling: { initialDelayMs: 10, maxDelayMs: 50, attachTimeoutMs: 10_000, detachTimeoutMs: 10_000 },
    ...options.adapter,
  });
  const eniConfig = eniConfigFromObject(options.eniConfig ?? TEST_ENI_CONFIG);
  const ds = createDataSource({ url: db.url, entities: PROJECTION_ENTITIES, poolSize: 4 });
  await ds.initialize();
  const cores: AllocatorCore[] = [];
  const dataSources: DataSource[] = [ds];

  const startCore = async (replicaId: string, overrides: Partial<AllocatorCoreOptions> = {}) => {
    const coreDs = createDataSource({ url: db.url, entities: PROJECTION_ENTITIES, poolSize: 20 });
    await coreDs.initialize();
    dataSources.push(coreDs);
    const core = new AllocatorCore({
      dataSource: coreDs,
      cloud,
      eniConfig,
      replicaId,
      allocateWaitMs: 15_000,
      cooldownResyncMs: 1_000,
      configReloadMs: 0,
      pool: { tickMs: 60_000, backoffBaseMs: 100, backoffMaxMs: 2_000 },
      leakSweeper: false,
      ...options.core,
      ...overrides,
    });
    await core.start();
    cores.push(core);
    return core;
  };

  const registerNodes = async (core: AllocatorCore, count: number, instanceType: string, prefix = 'node') => {
    const views: NodeView[] = [];
    for (let i = 0; i < count; i++) {
      const instance = await sim.admin.createInstance({ instanceType, vswitchId: 'vsw-itnodes' });
      const node = `${prefix}-${i}`;
      const command = { node, instanceId: instance.instanceId, instanceType, zone: ZONE, mode: 'eniip' as const };
      views.push(await core.nodes.registerNode(command, callContext()));
    }
    return views;
  };

  const close = async () => {
    for (const core of cores) {
      await core.stop().catch(() => undefined);
    }
    for (const source of dataSources) {
      await source.destroy().catch(() => undefined);
    }
    await sim.close();
    await db.drop();
  };

  return { db, sim, cloud, cores, eniConfig, startCore, ds, registerNodes, close };
}
