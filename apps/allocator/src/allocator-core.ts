import type { CloudPort } from '@ipledger/cloud';
import type { EniConfigSource, LoadedEniConfig } from '@ipledger/config';
import { PostgresEventStore, PostgresSnapshotStore } from '@ipledger/event-store';
import type { DataSource } from 'typeorm';
import { AllocateIpHandler } from './application/allocate-ip.handler.js';
import { LedgerAllocationService } from './application/allocation.service.js';
import { ClusterConfigService } from './application/cluster-config.service.js';
import { LedgerHistoryService } from './application/history.service.js';
import { InstanceLimitsCache } from './application/instance-limits.cache.js';
import { LedgerViewsReader } from './application/ledger-views.reader.js';
import { LedgerNodeService } from './application/node.service.js';
import { RegisterNodeHandler } from './application/register-node.handler.js';
import { ReleaseIpHandler } from './application/release-ip.handler.js';
import { NodeStateCache } from './node-state/node-state.cache.js';
import { EniSaga } from './pool/eni-saga.js';
import { PoolCycle } from './pool/pool-cycle.js';
import { PoolLock } from './pool/pool-lock.js';
import { PoolMaintainer, type PoolMaintainerOptions } from './pool/pool-maintainer.js';
import { PoolWaiters } from './pool/pool-waiters.js';
import { VSwitchCatalog } from './pool/vswitch-catalog.js';
import { WaiterFollower } from './pool/waiter-follower.js';
import { AllocationRepository } from './projections/allocation.repository.js';
import { EniRepository } from './projections/eni.repository.js';
import { createProjections } from './projections/index.js';
import { IpRepository } from './projections/ip.repository.js';
import { NodeRepository } from './projections/node.repository.js';
import { VSwitchRepository } from './projections/vswitch.repository.js';
import { CooldownSweeper } from './sweepers/cooldown.sweeper.js';
import { LeakedEniSweeper, type LeakedEniSweeperOptions } from './sweepers/leaked-eni.sweeper.js';

export interface AllocatorCoreOptions {
  /** Initialized, migrated, with PROJECTION_ENTITIES among its entities. */
  dataSource: DataSource;
  cloud: CloudPort;
  eniConfig: LoadedEniConfig;
  /** Re-read to apply eni-config edits live. */
  eniConfigSource?: EniConfigSource;
  replicaId: string;
  /** How long AllocateIp waits for the pool to grow. Default 10 s. */
  allocateWaitMs?: number;
  pool?: PoolMaintainerOptions;
  /** How often the cooldown sweeper looks for cooldowns other replicas started. Default 30 s. */
  cooldownResyncMs?: number;
  /** How often the eni-config source and the `cluster` stream are re-read. Default 10 s; 0 = never. */
  configReloadMs?: number;
  /** How often nodes with waiting pods are caught up with other replicas' writes. Default 100 ms. */
  followIntervalMs?: number;
  /** The leaked-ENI sweeper's schedule; `false` turns it off. */
  leakSweeper?: LeakedEniSweeperOptions | false;
  /**
   * Asked after each commit whether to NOTIFY relays in other processes; default always. The runtime says no
   * while its own relay is the active one (it wakes that relay in process).
   */
  notifyCommits?: () => boolean;
  /**
   * A node's state is snapshotted once its version has moved this many events past its last snapshot, and
   * loaded from the newest snapshot plus the events after it. Default 1 000; 0 = no snapshots at all.
   */
  snapshotEvery?: number;
}

export const DEFAULT_SNAPSHOT_EVERY = 1_000;

/**
 * The allocator's application core, wired by hand: the ledger (event store + projections), the node state
 * cache, the application services behind the edge's ports, the pool maintainer with its cloud saga and the
 * sweepers. Nest's module only hands these objects out; tests build two of them on one database to play two
 * replicas.
 */
export class AllocatorCore {
  readonly store: PostgresEventStore;
  readonly cache: NodeStateCache;
  readonly config: ClusterConfigService;
  readonly waiters = new PoolWaiters();
  readonly maintainer: PoolMaintainer;
  readonly cooldowns: CooldownSweeper;
  readonly leaks: LeakedEniSweeper | null;
  readonly allocations: LedgerAllocationService;
  readonly nodes: LedgerNodeService;
  readonly history: LedgerHistoryService;
  readonly views: LedgerViewsReader;
  private readonly follower: WaiterFollower;

  constructor(readonly options: AllocatorCoreOptions) {
    const ds = options.dataSource;
    const actor = `allocator/${options.replicaId}`;
    this.store = new PostgresEventStore(ds, createProjections(), { notify: options.notifyCommits ?? true });
    const snapshotEvery = options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
    this.cache = new NodeStateCache(this.store, {
      actor,
      snapshots: snapshotEvery > 0 ? { store: new PostgresSnapshotStore(ds), every: snapshotEvery } : undefined,
    });
    this.config = new ClusterConfigService(this.store, options.eniConfig, {
      actor,
      source: options.eniConfigSource,
      reloadIntervalMs: options.configReloadMs,
    });
    const eniConfig = () => this.config.current();
    const poolConfig = () => this.config.poolConfig();
    const nodeRepository = new NodeRepository(ds);
    const vswitches = new VSwitchCatalog(options.cloud, this.store, new VSwitchRepository(ds), eniConfig, { actor });
    const saga = new EniSaga(this.cache, options.cloud, vswitches, eniConfig);
    const cycle = new PoolCycle(this.cache, saga, options.cloud, this.waiters, poolConfig);
    const registered = async () => (await nodeRepository.list()).map((n) => n.name);
    const lock = new PoolLock(ds);
    this.maintainer = new PoolMaintainer(this.cache, cycle, lock, this.waiters, poolConfig, registered, options.pool);
    this.cooldowns = new CooldownSweeper(this.cache, ds, { resyncIntervalMs: options.cooldownResyncMs });
    const filling = (node: string) => this.maintainer.isCycling(node);
    this.follower = new WaiterFollower(this.cache, this.waiters, filling, options.followIntervalMs);
    const serviceCidr = () => eniConfig().serviceCidr;
    const targets = () => ({ minPoolSize: eniConfig().minPoolSize, maxPoolSize: eniConfig().maxPoolSize });
    const [enis, ips, allocations] = [new EniRepository(ds), new IpRepository(ds), new AllocationRepository(ds)];
    this.leaks =
      options.leakSweeper === false
        ? null
        : new LeakedEniSweeper(
            options.cloud,
            enis,
            new PoolLock(ds, 'ipledger.sweeper/'),
            eniConfig,
            options.leakSweeper,
          );
    this.views = new LedgerViewsReader(nodeRepository, enis, ips, allocations, targets, serviceCidr);
    const allocateWaitMs = options.allocateWaitMs ?? 10_000;
    const allocator = new AllocateIpHandler(this.cache, this.waiters, this.maintainer, {
      waitMs: allocateWaitMs,
      serviceCidr,
    });
    const releaser = new ReleaseIpHandler(this.cache, () => poolConfig().ipCooldownSeconds);
    this.allocations = new LedgerAllocationService(allocator, releaser, this.views);
    const limits = new InstanceLimitsCache(options.cloud);
    this.nodes = new LedgerNodeService(
      new RegisterNodeHandler(this.cache, limits, this.maintainer, this.views),
      this.views,
    );
    this.history = new LedgerHistoryService(this.store);
  }

  /** Applies the eni-config, then starts the sweepers and the maintainer (which resumes every node's saga). */
  async start(): Promise<void> {
    await this.config.start();
    // A new config (watermarks, vSwitches, idle-IP reclaim) may change what every pool should look like.
    this.config.onChange(() => this.maintainer.configChanged());
    await this.cooldowns.start();
    await this.maintainer.start();
    this.follower.start();
    this.leaks?.start();
  }

  async stop(): Promise<void> {
    await this.follower.stop();
    await this.leaks?.stop();
    this.config.stop();
    await this.maintainer.stop();
    await this.cooldowns.stop();
    await this.store.settled();
    await this.cache.snapshotsSettled();
  }
}
