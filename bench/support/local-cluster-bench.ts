// The LocalCluster harness (ecs-sim with a VPC of namespaces, the allocator, node agents, the real CNI
// executable) as the CNI and event benchmarks use it: on its own database and nats-server, stopped and cleaned
// up whatever happens.
import { startNatsServer } from '@ipledger/testing';
import { type LocalCluster, startLocalCluster } from '../../apps/devcluster/src/local-cluster.js';
import { resetBenchDatabase } from './bench-database.js';
import { Cleanup } from './deadline.js';

export interface ClusterNodeSpec {
  name: string;
  instanceType: string;
}

/** Runs `body` on a fresh LocalCluster with the given nodes; everything is stopped afterwards. */
export async function withLocalCluster<T>(
  options: { eniConfig: Record<string, unknown>; nodes: readonly ClusterNodeSpec[] },
  body: (cluster: LocalCluster) => Promise<T>,
): Promise<T> {
  const cleanup = new Cleanup();
  try {
    const databaseUrl = await resetBenchDatabase();
    const nats = await startNatsServer();
    cleanup.add('nats-server', () => nats.stop());
    const cluster = await startLocalCluster({ databaseUrl, natsUrl: nats.url, eniConfig: options.eniConfig });
    cleanup.add('local cluster', () => cluster.stop());
    for (const node of options.nodes) {
      await cluster.addNode(node);
    }
    return await body(cluster);
  } finally {
    await cleanup.runAll();
  }
}
