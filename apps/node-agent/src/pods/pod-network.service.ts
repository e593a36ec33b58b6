// A pod's network on this node, from ADD to DEL: ask the ledger for an address, wire the dataplane, and undo
// both when anything in between fails. Every step is written to the pod's record first (pod-record.ts), so a
// crash at any point leaves a trace that the repair loop finishes: nothing half configured, no address leaked.
import { DomainError } from '@ipledger/domain';
import { type Allocation, type AllocatorClient, type CniBandwidth, type PodRef } from '@ipledger/proto';
import { type PodNetworkResult } from '../dataplane/index.js';
import { podNs, type KernelPort } from '../kernel/index.js';
import { allocatorFailure, isTransient } from '../allocator/allocator-failure.js';
import { type EniDirectory } from '../allocator/eni-directory.js';
import { type Logger } from '../logging/json-logger.js';
import { type PodDataplaneMode, type PodRecord } from '../state/pod-record.js';
import { type PodRecordStore } from '../state/pod-record.store.js';
import { type ContainerLocks } from './container-locks.js';
import { DeferredWork } from './deferred-work.js';
import { isConfigured, PodDataplanes, type ConfiguredPod } from './pod-dataplanes.js';
import { describeProblems, eniOf, ledgerMismatches, modeOf, podName, recordFromAllocation } from './pod-ledger.js';
import { StepTimer } from './step-timer.js';

export interface PodAttachment {
  containerId: string;
  /** CNI_NETNS; may be empty on DEL. */
  netns: string;
  ifName: string;
}

export interface AddPod extends PodAttachment {
  pod: PodRef;
  bandwidth?: CniBandwidth;
  mtu?: number;
  traceparent?: string;
}

export interface DelPod extends PodAttachment {
  /** From CNI_ARGS when the runtime passed them. */
  pod?: PodRef;
  traceparent?: string;
}

export interface PodNetworkDeps {
  node: string;
  allocator: Pick<AllocatorClient, 'allocateIp' | 'releaseIp' | 'getAllocation'>;
  enis: Pick<EniDirectory, 'find'>;
  dataplanes: PodDataplanes;
  records: PodRecordStore;
  locks: ContainerLocks;
  kernel: Pick<KernelPort, 'netnsExists'>;
  /** Used when an allocation carries no Service CIDR. */
  serviceCidr: string | null;
  allocatorTimeoutMs: number;
  logger: Logger;
  /** The node's mode: on an `eniip` node ADD builds the pod's links while AllocateIp is in flight. */
  nodeMode: PodDataplaneMode;
  /** Test knob: a pause between the dataplane and the `ready` record (0 in production). */
  testAddDelayMs?: number;
}

export type ReleaseOutcome = 'released' | 'deferred';

export class PodNetworkService {
  private readonly deferred: DeferredWork;

  constructor(private readonly deps: PodNetworkDeps) {
    this.deferred = new DeferredWork(deps.logger);
  }

  /** Resolves once the devices of pods deleted so far are gone (DEL answers before deleting them). */
  settled(): Promise<void> {
    return this.deferred.settled();
  }

  add(request: AddPod): Promise<PodNetworkResult> {
    return this.deps.locks.run(request.containerId, () => this.addLocked(request));
  }

  del(request: DelPod): Promise<void> {
    return this.deps.locks.run(request.containerId, () => this.delLocked(request));
  }

  /** Throws a DomainError naming every way the pod differs from the ledger and from what ADD set up. */
  check(request: PodAttachment & { traceparent?: string }): Promise<void> {
    return this.deps.locks.run(request.containerId, () => this.checkLocked(request));
  }

  /**
   * The allocator asked for the pod's address back (IpReleaseRequested): tear the pod down, then confirm with
   * ReleaseIp. Transient failures throw, so the event is redelivered.
   */
  releaseRequested(request: { pod: PodRef; containerId: string; ip: string; reason: string }): Promise<void> {
    return this.deps.locks.run(request.containerId, async () => {
      const attachment = { containerId: request.containerId, netns: '', ifName: '', pod: request.pod };
      const record = (await this.deps.records.get(request.containerId)) ??
        (await this.recordFromLedger(attachment)) ?? { ...attachment, phase: 'releasing', updatedAt: '' };
      await this.removeLocked(
        { ...record, ip: record.ip ?? request.ip },
        `release-requested: ${request.reason}`,
        false,
      );
    });
  }

  /** GC: removes every pod whose container is not among `keep`, and returns their container ids. */
  async removeAllExcept(keep: ReadonlySet<string>, reason: string): Promise<string[]> {
    const { records } = await this.deps.records.list();
    const removed: string[] = [];
    for (const { containerId } of records.filter((r) => !keep.has(r.containerId))) {
      await this.deps.locks.run(containerId, async () => {
        const current = await this.deps.records.get(containerId);
        if (current) {
          await this.removeLocked(current, reason, true);
          removed.push(containerId);
        }
      });
    }
    return removed;
  }

  /**
   * Tears down a pod the agent knows by its record and gives its address back; the caller holds the lock.
   * With `deferRelease`, a transient allocator failure leaves the record in `releasing` for the repair loop
   * instead of failing.
   */
  async removeLocked(record: PodRecord, reason: string, deferRelease: boolean): Promise<ReleaseOutcome> {
    if (record.phase === 'released') {
      await this.removeDevices(record);
      return 'released';
    }
    const releasing =
      record.phase === 'releasing' ? record : await this.deps.records.put({ ...record, phase: 'releasing' });
    await this.deps.dataplanes.teardown(releasing);
    try {
      await this.release(releasing.pod, releasing.containerId, reason);
    } catch (error) {
      const failure = allocatorFailure(error);
      if (deferRelease && isTransient(failure)) {
        this.deps.logger.warn('address release deferred to the repair loop', {
          containerId: record.containerId,
          ip: record.ip,
          error: failure.message,
        });
        return 'deferred';
      }
      throw failure;
    }
    await this.deps.records.remove(record.containerId);
    return 'released';
  }

  private async addLocked(request: AddPod): Promise<PodNetworkResult> {
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
      timer.time('allocateMs', this.allocate(request)),
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

  private allocate(request: AddPod): Promise<Allocation> {
    const { containerId, pod } = request;
    return this.deps.allocator.allocateIp(
      { node: this.deps.node, pod, container_id: containerId, idempotency_key: `${pod.uid}/${containerId}` },
      this.callOptions(request.traceparent),
    );
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
        await this.release(base.pod, base.containerId, 'cni-add-failed').catch(() => undefined);
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
      // A shared-ENI pod needs no `configuring` record (one fsync less): its `allocating` record is enough of a
      // crash trace, as teardown finds the address from the veth's host route and the repair loop sweeps rules
      // no veth accounts for. An exclusive ENI must be remembered before it moves into the pod.
      const [written, wired] = await Promise.allSettled([
        traceEnough ? Promise.resolve() : timer.time('configuringRecordMs', this.deps.records.put(configured)),
        timer.time('addressMs', this.deps.dataplanes.complete(configured, linksReady)),
      ]);
      timer.mark('stage2Ms');
      if (written.status === 'rejected' || wired.status === 'rejected') {
        throw written.status === 'rejected' ? written.reason : (wired as PromiseRejectedResult).reason;
      }
      if (this.deps.testAddDelayMs) {
        await new Promise((resolve) => setTimeout(resolve, this.deps.testAddDelayMs));
      }
      await this.deps.records.put({ ...configured, phase: 'ready' });
      timer.mark('readyRecordMs');
      return wired.value;
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
        {
          reason: 'unsupported-mode',
        },
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
      await this.release(record.pod, record.containerId, 'cni-add-failed');
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
      await this.removeLocked(record, 'cni-add-failed', true);
    } catch (error) {
      // Left in `releasing`: the repair loop tears it down and releases it.
      this.deps.logger.error('rollback incomplete; the repair loop will finish it', {
        containerId: record.containerId,
        error,
      });
    }
  }

  private async delLocked(request: DelPod): Promise<void> {
    const known = await this.deps.records.get(request.containerId);
    const record = known ?? (await this.recordFromLedger(request));
    if (!record) {
      // Never seen and no pod to ask the ledger about: remove whatever naming says could be ours.
      await this.deps.dataplanes.teardown({ containerId: request.containerId, netns: request.netns });
      return;
    }
    const target = { ...record, netns: request.netns || record.netns };
    if (known && known.phase !== 'released' && PodDataplanes.stagedTeardown(target)) {
      await this.removeStaged(target, 'cni-del');
      return;
    }
    await this.removeLocked(target, 'cni-del', true);
  }

  /**
   * DEL of a policy-route pod: make the address unusable on the node (rules, route, veth down), give it back,
   * answer; the devices are deleted afterwards, which waits for the kernel (docs/node-agent.md, DEL). Until
   * they are gone the record says `released`, so a crash leaves the repair loop a trace to finish.
   */
  private async removeStaged(record: PodRecord & { ip: string }, reason: string): Promise<void> {
    const timer = new StepTimer();
    const [written, isolated] = await Promise.allSettled([
      record.phase === 'releasing' ? record : this.deps.records.put({ ...record, phase: 'releasing' }),
      this.deps.dataplanes.isolate(record),
    ]);
    timer.mark('isolateMs');
    if (written.status === 'rejected' || isolated.status === 'rejected') {
      throw written.status === 'rejected' ? written.reason : (isolated as PromiseRejectedResult).reason;
    }
    try {
      await this.release(record.pod, record.containerId, reason);
    } catch (error) {
      const failure = allocatorFailure(error);
      if (!isTransient(failure)) {
        throw failure;
      }
      // The record stays `releasing`: the repair loop tears the rest down and releases the address.
      this.deps.logger.warn('address release deferred to the repair loop', {
        containerId: record.containerId,
        ip: record.ip,
        error: failure.message,
      });
      return;
    }
    timer.mark('releaseMs');
    this.deps.logger.debug('cni del timings', { containerId: record.containerId, ...timer.fields() });
    const released = { ...written.value, phase: 'released' as const };
    this.deferred.run('deleting the devices of a released pod', { containerId: record.containerId }, () =>
      this.deps.locks.run(record.containerId, async () => {
        const current = await this.deps.records.get(record.containerId);
        if (current?.phase === 'releasing' && current.updatedAt === written.value.updatedAt) {
          await this.removeDevices(await this.deps.records.put(released));
        }
      }),
    );
  }

  /** A released pod's devices and then its record; its address, rules and routes are not touched. */
  private async removeDevices(record: PodRecord): Promise<void> {
    if (record.mode === 'eni') {
      await this.deps.dataplanes.teardown({ ...record, ip: undefined });
    } else {
      await this.deps.dataplanes.removeLinks(record);
    }
    await this.deps.records.remove(record.containerId);
  }

  /** A record for a pod this agent has none for (state lost, or never seen): what the ledger says of it. */
  private async recordFromLedger(request: DelPod): Promise<PodRecord | null> {
    if (!request.pod?.uid) {
      return null;
    }
    const base: PodRecord = { ...attachmentOf(request), pod: request.pod, phase: 'releasing', updatedAt: '' };
    try {
      const allocation = await this.deps.allocator.getAllocation(
        { pod: request.pod },
        this.callOptions(request.traceparent),
      );
      return recordFromAllocation(base, allocation, this.deps.node);
    } catch {
      return base;
    }
  }

  private async checkLocked(request: PodAttachment & { traceparent?: string }): Promise<void> {
    const record = await this.deps.records.get(request.containerId);
    if (!record) {
      throw new DomainError('not-found', `no pod with container ${request.containerId} on this node`);
    }
    if (record.phase !== 'ready' || !isConfigured(record)) {
      throw new DomainError('illegal-state', `pod ${podName(record.pod)} is ${record.phase}, not ready`);
    }
    let allocation: Allocation;
    try {
      allocation = await this.deps.allocator.getAllocation({ pod: record.pod }, this.callOptions(request.traceparent));
    } catch (error) {
      const failure = allocatorFailure(error);
      throw failure.code === 'not-found'
        ? new DomainError('illegal-state', `the ledger holds no address for pod ${podName(record.pod)}`)
        : failure;
    }
    const problems = [
      ...ledgerMismatches(record, allocation, this.deps.node),
      ...(await this.deps.dataplanes.check(record)),
    ];
    if (problems.length > 0) {
      throw new DomainError('illegal-state', `pod ${podName(record.pod)}: ${describeProblems(problems)}`, {
        problems: problems.map((p) => p.code),
      });
    }
  }

  private async release(pod: PodRef, containerId: string, reason: string): Promise<void> {
    try {
      await this.deps.allocator.releaseIp(
        { node: this.deps.node, pod, container_id: containerId, reason },
        { timeoutMs: this.deps.allocatorTimeoutMs },
      );
    } catch (error) {
      if (allocatorFailure(error).code !== 'not-found') {
        throw error;
      }
    }
  }

  private callOptions(traceparent: string | undefined) {
    return {
      timeoutMs: this.deps.allocatorTimeoutMs,
      ...(traceparent ? { metadata: { traceparent } } : {}),
    };
  }
}

const attachmentOf = (request: PodAttachment): PodAttachment => ({
  containerId: request.containerId,
  netns: request.netns,
  ifName: request.ifName,
});
