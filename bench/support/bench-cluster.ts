// A simulated cluster for the allocator benchmarks: a fresh ledger (the bench database re-created), a
// private nats-server, an in-process ecs-sim with roomy vSwitches, the allocator in its own process, and N
// nodes, each an ecs-sim instance registered through gRPC as its node agent would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EcsSimOptions,
  type InstanceState,
  type RunningEcsSim,
  startEcsSim,
} from '../../apps/ecs-sim/src/index.js';
import { type AllocatorClient, createAllocatorClient, type NodeView } from '@ipledger/proto';
import { startNatsServer } from '@ipledger/testing';
import { type AllocatorProcess, startAllocatorProcess } from './allocator-process.js';
import { resetBenchDatabase } from './bench-database.js';
import { Cleanup, waitFor } from './deadline.js';

export const BENCH_ZONE = 'cn-hangzhou-h';
/** Pods' vSwitches: two /19s, room for every address a benchmark can ask for. */
export const POD_VSWITCHES = ['vsw-benchpods1', 'vsw-benchpods2'];
const VSWITCHES = [
  { id: 'vsw-benchnodes', zoneId: BENCH_ZONE, cidr: '10.10.0.0/22' },
  { id: POD_VSWITCHES[0], zoneId: BENCH_ZONE, cidr: '10.20.0.0/19' },
  { id: POD_VSWITCHES[1], zoneId: BENCH_ZONE, cidr: '10.20.32.0/19' },
];

export interface BenchClusterOptions {
  label: string;
  nodes: number;
  instanceType: string;
  /** eni_conf keys on top of the vSwitches, security group and cluster id set here. */
  eniConfig: Record<string, unknown>;
  ecsSim?: Omit<EcsSimOptions, 'vswitches'>;
  /** Wait until every node has this many idle addresses (the warm pool). */
  waitForIdle?: number;
}

export interface BenchCluster {
  ecs: RunningEcsSim;
  allocator: AllocatorProcess;
  client: AllocatorClient;
  databaseUrl: string;
  nodes: NodeView[];
  workDir: string;
  stop(): Promise<void>;
}

export function benchEniConfig(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    vswitches: { [BENCH_ZONE]: POD_VSWITCHES },
    vswitch_selection_policy: 'ordered',
    security_group: 'sg-bench',
    cluster_id: 'ipledger-bench',
    ...extra,
  };
}

/** The names the bench cluster gives its nodes: bench-node-001, bench-node-002, … */
export function benchNodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench-node-${String(i + 1).padStart(3, '0')}`);
}

export async function startBenchCluster(options: BenchClusterOptions): Promise<BenchCluster> {
  const cleanup = new Cleanup();
  try {
    const workDir = mkdtempSync(join(tmpdir(), `ipl-bench-${options.label}-`));
    cleanup.add('work directory', () => rmSync(workDir, { recursive: true, force: true }));
    const databaseUrl = await resetBenchDatabase();
    const nats = await startNatsServer();
    cleanup.add('nats-server', () => nats.stop());
    const ecs = await startEcsSim({ ...options.ecsSim, vswitches: VSWITCHES, log: () => undefined });
    cleanup.add('ecs-sim', () => ecs.close());
    const allocator = await startAllocatorProcess({
      databaseUrl,
      natsUrl: nats.url,
      ecsEndpoint: ecs.endpoint,
      eniConfig: benchEniConfig(options.eniConfig),
      logFile: join(workDir, 'allocator.log'),
    });
    cleanup.add('allocator', () => allocator.stop());
    const client = createAllocatorClient(allocator.address, { defaultTimeoutMs: 60_000 });
    cleanup.add('client', () => client.close());
    const nodes = await registerNodes(ecs, client, options);
    if (options.waitForIdle !== undefined) {
      await waitForWarmPools(client, nodes, options.waitForIdle);
    }
    return { ecs, allocator, client, databaseUrl, nodes, workDir, stop: () => cleanup.runAll() };
  } catch (error) {
    await cleanup.runAll();
    throw error;
  }
}

async function registerNodes(
  ecs: RunningEcsSim,
  client: AllocatorClient,
  options: BenchClusterOptions,
): Promise<NodeView[]> {
  const names = benchNodeNames(options.nodes);
  const instances: InstanceState[] = [];
  for (const name of names) {
    instances.push(
      await ecs.admin.createInstance({
        instanceId: `i-${name.replaceAll('-', '')}`,
        instanceType: options.instanceType,
        vswitchId: VSWITCHES[0].id,
      }),
    );
  }
  return Promise.all(
    names.map((node, i) =>
      client.registerNode({
        node,
        instance_id: instances[i].instanceId,
        instance_type: options.instanceType,
        zone: BENCH_ZONE,
        mode: 'eniip',
      }),
    ),
  );
}

async function waitForWarmPools(client: AllocatorClient, nodes: readonly NodeView[], idle: number): Promise<void> {
  await waitFor(
    async () => {
      const pools = await Promise.all(nodes.map((n) => client.describePool({ node: n.node })));
      return pools.every((pool) => pool.idle >= idle) ? true : undefined;
    },
    180_000,
    `warm pools of ${idle} idle addresses on ${nodes.length} nodes`,
    500,
  );
}
