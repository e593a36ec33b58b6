import { EcsCloudAdapter } from '@ipledger/cloud';
import type { AllocatorSettings } from '@ipledger/config';
import { poolCounts } from '@ipledger/domain';
import { createDataSource, runMigrations } from '@ipledger/event-store';
import type { Metrics, PoolIpsSample } from '@ipledger/telemetry';
import type { DataSource } from 'typeorm';
import { AllocatorCore } from './allocator-core.js';
import type { CoreKnobs } from './core-knobs.js';
import { PROJECTION_ENTITIES } from './projections/index.js';
import { CloudRateBucketEntity, PostgresRateLimiter } from './rate-limits/index.js';
import { OutboxRelayRunner } from './sweepers/outbox-relay.runner.js';

// Several replicas may start at once on a fresh database: one migrates, the others wait for it.
const MIGRATION_LOCK = 0x69706c6d; // "iplm"

export interface AllocatorRuntimeOptions {
  settings: AllocatorSettings;
  knobs: CoreKnobs;
  metrics?: Metrics;
}

/**
 * Everything the allocator's application core needs from the outside world, built from its settings: the
 * Postgres DataSource (migrated), the cloud adapter (ecs-sim or Alibaba Cloud, its rate limits in token
 * buckets shared through Postgres), the core, and the outbox relay to NATS; started and stopped in that
 * order and its reverse.
 */
export class AllocatorRuntime {
  private stopPoolGauge: (() => void) | null = null;

  private constructor(
    readonly dataSource: DataSource,
    readonly core: AllocatorCore,
    private readonly relay: OutboxRelayRunner,
    private readonly metrics: Metrics | undefined,
  ) {}

  static async create({ settings, knobs, metrics }: AllocatorRuntimeOptions): Promise<AllocatorRuntime> {
    const { env, eniConfig } = settings;
    const dataSource = createDataSource({
      url: env.databaseUrl,
      entities: [...PROJECTION_ENTITIES, CloudRateBucketEntity],
      applicationName: `ipledger-allocator/${env.replicaId}`,
    });
    await dataSource.initialize();
    await migrate(dataSource);
    // The token buckets live in Postgres, shared by every replica (DESIGN §6: the cloud is never called more
    // often than the limit, however many replicas run). Their sizes follow the eni-config in force: the file's
    // until the core exists, then the core's, which follows live edits and other replicas' configs.
    let rateLimits = () => eniConfig.config.rateLimits;
    const limiter = new PostgresRateLimiter(dataSource, () => rateLimits());
    const cloud = new EcsCloudAdapter({
      regionId: env.ecs.region,
      endpoint: env.ecs.endpoint ?? undefined,
      protocol: env.ecs.protocol,
      // ecs-sim checks no signature: without keys the client still needs something to sign with.
      credentials: env.credentials
        ? { accessKeyId: env.credentials.accessKeyId, accessKeySecret: env.credentials.revealSecret() }
        : { accessKeyId: 'ipledger-simulated', accessKeySecret: 'ipledger-simulated' },
      limiter,
      observer: metrics && {
        onCall: (call) => {
          metrics.countCloudCall(call.api, call.code);
          if (call.code.startsWith('Throttling')) {
            metrics.countCloudThrottled(call.api);
          }
        },
      },
    });
    const relay = new OutboxRelayRunner({
      databaseUrl: env.databaseUrl,
      natsServers: env.natsServers,
      onLag: metrics && ((seconds) => metrics.setOutboxLag(seconds)),
    });
    const core = new AllocatorCore({
      dataSource,
      cloud,
      eniConfig,
      eniConfigSource: env.eniConfigSource,
      replicaId: env.replicaId,
      allocateWaitMs: knobs.allocateWaitMs,
      configReloadMs: knobs.configReloadMs,
      snapshotEvery: knobs.snapshotEvery,
      pool: { tickMs: knobs.poolTickMs, coalesceMs: knobs.poolCoalesceMs },
      leakSweeper: knobs.leakSweepMs > 0 && { intervalMs: knobs.leakSweepMs },
      // Only the active relay listens: while it runs here, it is woken in process and NOTIFY reaches no one.
      notifyCommits: () => !relay.isActive(),
    });
    rateLimits = () => core.config.current().rateLimits;
    core.store.onCommitted(() => relay.wakeUp());
    return new AllocatorRuntime(dataSource, core, relay, metrics);
  }

  async start(): Promise<void> {
    await this.core.start();
    this.relay.start();
    this.stopPoolGauge = this.metrics?.observePoolIps(() => this.poolSamples()) ?? null;
  }

  async stop(): Promise<void> {
    this.stopPoolGauge?.();
    await this.relay.stop();
    await this.core.stop();
    await this.dataSource.destroy();
  }

  /** Pool sizes of the nodes this process has loaded (ipledger_pool_ips{node,state}). */
  private *poolSamples(): Iterable<PoolIpsSample> {
    for (const node of this.core.cache.knownNodes()) {
      const snapshot = this.core.cache.peek(node);
      if (!snapshot?.state.info) {
        continue;
      }
      const counts = poolCounts(snapshot.state);
      for (const state of ['idle', 'allocated', 'cooling', 'releasing'] as const) {
        yield { node, state, count: counts[state] };
      }
    }
  }
}

async function migrate(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await runMigrations(dataSource);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}
