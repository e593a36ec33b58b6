// One local cluster per e2e file, on its own test database and its own nats-server (DESIGN.md §9), torn down
// completely in afterAll even when the start failed halfway.
import { createTestDatabase, startNatsServer, type NatsServer, type TestDatabase } from '@ipledger/testing';
import { LocalCluster, type LocalClusterOptions } from '../../apps/devcluster/src/local-cluster.js';

export interface E2eCluster {
  cluster: LocalCluster;
  nats: NatsServer;
  database: TestDatabase;
}

export type E2eOptions = Omit<LocalClusterOptions, 'databaseUrl' | 'natsUrl'>;

/** Starts the cluster; the returned `stop` cleans up whatever was started, also after a failed start. */
export function e2eCluster(
  label: string,
  options: E2eOptions = {},
): { start(): Promise<E2eCluster>; stop(): Promise<void> } {
  let database: TestDatabase | null = null;
  let nats: NatsServer | null = null;
  let cluster: LocalCluster | null = null;
  return {
    start: async () => {
      database = await createTestDatabase(label);
      nats = await startNatsServer();
      cluster = await LocalCluster.start({ ...options, databaseUrl: database.url, natsUrl: nats.url });
      return { cluster, nats, database };
    },
    stop: async () => {
      const failures: unknown[] = [];
      for (const step of [() => cluster?.stop(), () => nats?.stop(), () => database?.drop()]) {
        try {
          await step();
        } catch (error) {
          failures.push(error);
        }
      }
      if (failures.length > 0) {
        throw new AggregateError(failures, 'e2e cleanup incomplete');
      }
    },
  };
}

/** Polls until `check` passes (returns without throwing), rethrowing its last failure on timeout. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
