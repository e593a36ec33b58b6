// Makes the node match the ledger (DESIGN.md §4): on start and then periodically. Nothing on the node that the
// ledger does not know (leftover veths, ifbs and rules, records of pods it released), nothing missing that it
// does (a pod whose netns lives gets its network back), and pods that are fine are only looked at, never
// touched. Crash traces (records in a phase other than `ready`) are finished: torn down and released.
import { type Allocation, type AllocatorClient } from '@ipledger/proto';
import { podNames, type PodInventory } from '../dataplane/index.js';
import { podNs, type KernelPort } from '../kernel/index.js';
import { allocatorFailure } from '../allocator/allocator-failure.js';
import { type NodeEnis } from '../enis/node-enis.service.js';
import { type Logger } from '../logging/json-logger.js';
import { type ContainerLocks } from '../pods/container-locks.js';
import { type NodeAddresses } from '../pods/node-addresses.js';
import { isConfigured, type PodDataplanes } from '../pods/pod-dataplanes.js';
import { describeProblems } from '../pods/pod-ledger.js';
import { type PodNetworkService } from '../pods/pod-network.service.js';
import { type PodRecord } from '../state/pod-record.js';
import { type PodRecordStore } from '../state/pod-record.store.js';

export interface RepairReport {
  /** Pods whose network was set up again. */
  restored: string[];
  /** Pods torn down (and released where the ledger still held them). */
  removed: string[];
  /** Ledger allocations on this node that no pod here uses, given back. */
  released: string[];
  /** Host devices and rules of unknown pods, by their device key. */
  sweptKeys: string[];
  enisRepaired: string[];
}

export interface NodeRepairDeps {
  node: string;
  allocator: Pick<AllocatorClient, 'listAllocations' | 'releaseIp'>;
  records: PodRecordStore;
  locks: ContainerLocks;
  pods: PodNetworkService;
  dataplanes: PodDataplanes;
  inventory: PodInventory;
  enis: NodeEnis;
  nodeAddresses: NodeAddresses;
  kernel: Pick<KernelPort, 'netnsExists'>;
  allocatorTimeoutMs: number;
  logger: Logger;
}

const emptyReport = (): RepairReport => ({ restored: [], removed: [], released: [], sweptKeys: [], enisRepaired: [] });

export class NodeRepairService {
  private running: Promise<RepairReport> | null = null;

  constructor(private readonly deps: NodeRepairDeps) {}

  /** One pass; concurrent callers share the pass in progress. */
  repair(): Promise<RepairReport> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Removes host devices and rules no pod record accounts for (also after a CNI GC). */
  async sweepLeftovers(report: RepairReport = emptyReport()): Promise<void> {
    const { records } = await this.deps.records.list();
    const known = new Set(records.map((r) => podNames(r.containerId).key));
    const observed = await this.deps.inventory.list();
    for (const pod of observed.pods) {
      if (known.has(pod.key) || this.busyKeys().has(pod.key)) {
        continue;
      }
      await this.deps.inventory.remove(pod);
      report.sweptKeys.push(pod.key);
      this.deps.logger.info('removed devices of an unknown pod', { key: pod.key, ips: pod.ips });
    }
    if (observed.strayRules.length > 0) {
      await this.deps.inventory.removeRules(observed.strayRules);
      this.deps.logger.info('removed stray pod rules', { rules: observed.strayRules });
    }
  }

  private async pass(): Promise<RepairReport> {
    const report = emptyReport();
    const startedAt = Date.now();
    const ledger = await this.listLedger();
    this.deps.nodeAddresses.refresh();
    report.enisRepaired = await this.deps.enis.repair();
    const { records, unreadable } = await this.deps.records.list();
    for (const file of unreadable) {
      this.deps.logger.warn('unreadable pod record left alone', { ...file });
    }
    for (const record of records) {
      try {
        await this.deps.locks.run(record.containerId, () =>
          this.repairPod(record.containerId, ledger, startedAt, report),
        );
      } catch (error) {
        // One pod that cannot be repaired now must not keep the others from it; the next pass tries again.
        this.deps.logger.warn('pod repair failed', { containerId: record.containerId, error });
      }
    }
    await this.releaseUnknown(ledger, report);
    await this.sweepLeftovers(report);
    const changed =
      report.restored.length + report.removed.length + report.released.length + report.sweptKeys.length > 0;
    if (changed) {
      this.deps.logger.info('repair pass done', { ...report });
    }
    return report;
  }

  private async listLedger(): Promise<Map<string, Allocation>> {
    try {
      const { allocations } = await this.deps.allocator.listAllocations(
        { node: this.deps.node },
        { timeoutMs: this.deps.allocatorTimeoutMs },
      );
      return new Map(allocations.map((a) => [a.container_id, a]));
    } catch (error) {
      throw allocatorFailure(error);
    }
  }

  private async repairPod(
    containerId: string,
    ledger: ReadonlyMap<string, Allocation>,
    startedAt: number,
    report: RepairReport,
  ): Promise<void> {
    const record = await this.deps.records.get(containerId);
    // Gone meanwhile, or written after the ledger was read (an ADD that finished during this pass).
    if (!record || Date.parse(record.updatedAt) >= startedAt) {
      return;
    }
    const allocation = ledger.get(containerId);
    const netnsAlive = record.netns !== '' && (await this.deps.kernel.netnsExists(podNs(record.netns)));
    const healthy = record.phase === 'ready' && allocation?.ip === record.ip && netnsAlive;
    if (!healthy) {
      const reason =
        record.phase !== 'ready' ? `unfinished ${record.phase}` : !allocation ? 'unknown to the ledger' : 'netns gone';
      await this.remove(record, reason, report);
      return;
    }
    if (!isConfigured(record)) {
      return;
    }
    const problems = await this.deps.dataplanes.check(record);
    if (problems.length === 0) {
      return;
    }
    this.deps.logger.warn('pod network damaged; restoring it', { containerId, problems: describeProblems(problems) });
    await this.deps.dataplanes.setup(record);
    report.restored.push(containerId);
  }

  private async remove(record: PodRecord, reason: string, report: RepairReport): Promise<void> {
    this.deps.logger.info('removing a pod the node should not have', {
      containerId: record.containerId,
      pod: record.pod,
      ip: record.ip,
      reason,
    });
    const outcome = await this.deps.pods.removeLocked(record, `agent-repair: ${reason}`, true);
    if (outcome === 'released') {
      report.removed.push(record.containerId);
    }
  }

  /** Allocations on this node for containers the agent has no record of: nothing here uses them. */
  private async releaseUnknown(ledger: ReadonlyMap<string, Allocation>, report: RepairReport): Promise<void> {
    for (const allocation of ledger.values()) {
      const containerId = allocation.container_id;
      try {
        await this.deps.locks.run(containerId, async () => {
          if (allocation.node !== this.deps.node || (await this.deps.records.get(containerId))) {
            return;
          }
          this.deps.logger.warn('releasing an allocation no pod on this node uses', {
            containerId,
            pod: allocation.pod,
            ip: allocation.ip,
          });
          await this.deps.dataplanes.teardown({ containerId, netns: '', ip: allocation.ip });
          await this.deps.allocator.releaseIp(
            {
              node: this.deps.node,
              pod: allocation.pod,
              container_id: containerId,
              reason: 'agent-repair: no pod on node',
            },
            { timeoutMs: this.deps.allocatorTimeoutMs },
          );
          report.released.push(containerId);
        });
      } catch (error) {
        this.deps.logger.warn('release of an unused allocation failed; next pass tries again', { containerId, error });
      }
    }
  }

  private busyKeys(): Set<string> {
    return new Set(this.deps.locks.held().map((id) => podNames(id).key));
  }
}
