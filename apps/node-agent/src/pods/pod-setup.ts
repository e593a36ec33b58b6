// CNI ADD in two stages (docs/node-agent.md, ADD): first what needs no address, side by side with AllocateIp,
// then what needs the address. Each failure point undoes exactly what happened before it, so a failed ADD
// leaves neither devices nor an allocation behind, or else a record the repair loop finishes.
import { DomainError } from '@ipledger/domain';
import { type Allocation } from '@ipledger/proto';
import { type PodNetworkResult } from '../dataplane/index.js';
import { podNs } from '../kernel/index.js';
import { allocatorFailure, isTransient } from '../allocator/allocator-failure.js';
import { type PodRecord } from '../state/pod-record.js';
import { type PodAllocations } from './pod-allocations.js';
import { type ConfiguredPod } from './pod-dataplanes.js';
import { eniOf, modeOf } from './pod-ledger.js';
import { type AddPod, type PodNetworkDeps } from './pod-network.types.js';
import { type PodRemoval } from './pod-removal.js';
import { settleBoth } from './settle-both.js';
import { StepTimer } from './step-timer.js';

type SetupDeps = Pick<
  PodNetworkDeps,
  'node' | 'enis' | 'dataplanes' | 'records' | 'kernel' | 'serviceCidr' | 'logger' | 'nodeMode' | 'testAddDelayMs'
>;

export class PodSetup {
  constructor(
    private readonly deps: SetupDeps,
    private readonly allocations: PodAllocations,
    private readonly removal: Pick<PodRemoval, 'remove'>,
  ) {}

  /** ADD; the caller holds the pod's lock. */
  async add(request: AddPod): Promise<PodNetworkResult> {
    const timer = new StepTimer();
    const { containerId, netns, ifName, pod } = request;
    if (!(await this.deps.kernel.netnsExists(podNs(netns)))) {
      throw new DomainError('invalid-argument', `CNI_NETNS: ${netns} does not exist`, { field: 'netns', netns });
    }
    timer.mark('netnsMs');
    const base: Omit<PodRecord, 'updatedAt'> = {
      containerId,
      ifName,
      netns,
      pod,
      phase: 'allocating',
      ...(request.bandwidth ? { bandwidth: request.bandwidth } : {}),
      ...(request.mtu ? { mtu: request.mtu } : {}),
    };
    // None of these needs another: the crash trace, the address, and (eniip) the links, which need no address.
    const staged = this.deps.nodeMode === 'eniip';
    const [recorded, allocated, linked] = await Promise.allSettled([
      timer.time('recordMs', this.deps.records.put(base)),
      timer.time('allocateMs', this.allocations.allocate(pod, containerId, request.traceparent)),
      staged ? timer.time('linksMs', this.deps.dataplanes.prepareLinks(base)) : Promise.resolve(),
    ]);
    timer.mark('stage1Ms');
    if (recorded.status === 'rejected' || allocated.status === 'rejected') {
      throw await this.undoStage1(base, recorded, allocated, staged);
    }
    const result = await this.configure(recorded.value, allocated.value, linked, timer);
    this.deps.logger.debug('cni add timings', { containerId, ...timer.fields() });
    return result;
  }

  /**
   * The record could not be written or AllocateIp failed: the links go (prepareLinks undid its own failure),
   * then the address (if any may exist), then the record. Returns the error to answer.
   */
  private async undoStage1(
    base: Omit<PodRecord, 'updatedAt'>,
    recorded: PromiseSettledResult<PodRecord>,
    allocated: PromiseSettledResult<Allocation>,
    staged: boolean,
  ): Promise<unknown> {
    if (staged) {
      await this.deps.dataplanes.removeLinks(base).catch((error: unknown) =>
        // Unrecorded devices are swept by the repair loop by their names.
        this.deps.logger.warn('could not remove the links of a failed ADD', { containerId: base.containerId, error }),
      );
    }
    if (recorded.status === 'rejected') {
      if (allocated.status === 'fulfilled' || isTransient(allocatorFailure(allocated.reason))) {
        // No record to leave a trace in: the repair loop releases a ledger allocation no record accounts for.
        await this.allocations.release(base.pod, base.containerId, 'cni-add-failed').catch(() => undefined);
      }
      return recorded.reason;
    }
    const failure = allocatorFailure((allocated as PromiseRejectedResult).reason);
    await this.abandonAllocation(recorded.value, failure);
    return failure;
  }

  /** Stage 2 of ADD: record the address and wire what needs it (at once), then record the pod ready. */
  private async configure(
    allocating: PodRecord,
    allocation: Allocation,
    linked: PromiseSettledResult<void>,
    timer: StepTimer,
  ): Promise<PodNetworkResult> {
    let configured: ConfiguredPod | null = null;
    try {
      if (linked.status === 'rejected') {
        throw linked.reason;
      }
      configured = await this.configuredFrom(allocating, allocation);
      const linksReady = this.deps.nodeMode === 'eniip';
      const traceEnough = linksReady && configured.mode === 'eniip';
      // A shared-ENI pod needs no `configuring` record (one write less): its `allocating` record is enough of a
      // crash trace, as teardown finds the address from the veth's host route and the repair loop sweeps rules
      // no veth accounts for. An exclusive ENI must be remembered before it moves into the pod.
      const [, wired] = await settleBoth<unknown, PodNetworkResult>(
        traceEnough ? Promise.resolve() : timer.time('configuringRecordMs', this.deps.records.put(configured)),
        timer.time('addressMs', this.deps.dataplanes.complete(configured, linksReady)),
      );
      timer.mark('stage2Ms');
      if (this.deps.testAddDelayMs) {
        await new Promise((resolve) => setTimeout(resolve, this.deps.testAddDelayMs));
      }
      await this.deps.records.put({ ...configured, phase: 'ready' });
      timer.mark('readyRecordMs');
      return wired;
    } catch (error) {
      await this.rollBack(configured ?? { ...allocating, ip: allocation.ip }, error);
      throw error;
    }
  }

  private async configuredFrom(record: PodRecord, allocation: Allocation): Promise<ConfiguredPod> {
    const mode = modeOf(allocation);
    if (!mode) {
      throw new DomainError(
        'illegal-state',
        `the ledger placed the pod in mode ${allocation.mode}, which this agent does not serve`,
        { reason: 'unsupported-mode' },
      );
    }
    const primaryIp = mode === 'eni' ? allocation.ip : await this.primaryIpOf(allocation.eni.id);
    const serviceCidr = allocation.service_cidr || this.deps.serviceCidr || undefined;
    return {
      ...record,
      phase: 'configuring',
      ip: allocation.ip,
      mode,
      eni: eniOf(allocation, primaryIp),
      ...(serviceCidr ? { serviceCidr } : {}),
    };
  }

  private async primaryIpOf(eniId: string): Promise<string> {
    const eni = await this.deps.enis.find(eniId);
    if (!eni) {
      throw new DomainError('illegal-state', `the ledger lists no ENI ${eniId} on node ${this.deps.node}`, {
        reason: 'eni-unknown',
      });
    }
    return eni.primary_ip;
  }

  /** AllocateIp failed: when the allocator may still have handed out an address, give it back. */
  private async abandonAllocation(record: PodRecord, failure: DomainError): Promise<void> {
    if (!isTransient(failure)) {
      await this.deps.records.remove(record.containerId);
      return;
    }
    try {
      await this.allocations.release(record.pod, record.containerId, 'cni-add-failed');
      await this.deps.records.remove(record.containerId);
    } catch {
      // The allocator is out of reach: the repair loop releases it once it is back.
      await this.deps.records.put({ ...record, phase: 'releasing' });
    }
  }

  private async rollBack(record: PodRecord, cause: unknown): Promise<void> {
    this.deps.logger.warn('ADD failed; rolling back the dataplane and the allocation', {
      containerId: record.containerId,
      ip: record.ip,
      error: cause,
    });
    try {
      await this.removal.remove(record, 'cni-add-failed', true);
    } catch (error) {
      // Left in `releasing`: the repair loop tears it down and releases it.
      this.deps.logger.error('rollback incomplete; the repair loop will finish it', {
        containerId: record.containerId,
        error,
      });
    }
  }
}
