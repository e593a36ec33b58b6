// Taking a pod off the node and giving its address back, for DEL, IpReleaseRequested, GC, repair and a failed
// ADD. The record moves to `releasing` before anything is touched, so a crash or an unreachable allocator
// leaves the repair loop a trace to finish; the address is released only once the node can no longer use it.
import { type PodRecord } from '../state/pod-record.js';
import { allocatorFailure, isTransient } from '../allocator/allocator-failure.js';
import { type PodAllocations } from './pod-allocations.js';
import { PodDataplanes } from './pod-dataplanes.js';
import { recordFromAllocation } from './pod-ledger.js';
import { type DelPod, type PodAttachment, type PodNetworkDeps, type ReleaseRequest } from './pod-network.types.js';
import { settleBoth } from './settle-both.js';
import { StepTimer } from './step-timer.js';

export type ReleaseOutcome = 'released' | 'deferred';

/** What DEL leaves for after its answer; to be run under the pod's lock. */
export type DevicesLeft = () => Promise<void>;

export class PodRemoval {
  constructor(
    private readonly deps: Pick<PodNetworkDeps, 'node' | 'dataplanes' | 'records' | 'logger'>,
    private readonly allocations: PodAllocations,
  ) {}

  /** DEL; the caller holds the pod's lock. Returns the devices still to delete once DEL has answered. */
  async del(request: DelPod): Promise<DevicesLeft | null> {
    const known = await this.deps.records.get(request.containerId);
    const record = known ?? (await this.recordFromLedger(request));
    if (!record) {
      // Never seen and no pod to ask the ledger about: remove whatever naming says could be ours.
      await this.deps.dataplanes.teardown({ containerId: request.containerId, netns: request.netns });
      return null;
    }
    const target = { ...record, netns: request.netns || record.netns };
    if (known && known.phase !== 'released' && PodDataplanes.stagedTeardown(target)) {
      return this.removeStaged(target, 'cni-del');
    }
    await this.remove(target, 'cni-del', true);
    return null;
  }

  /**
   * Tears the pod down, then confirms with ReleaseIp; the caller holds the pod's lock. Transient failures
   * throw, so the event is redelivered.
   */
  async releaseRequested(request: ReleaseRequest): Promise<void> {
    const attachment = { containerId: request.containerId, netns: '', ifName: '', pod: request.pod };
    const record = (await this.deps.records.get(request.containerId)) ??
      (await this.recordFromLedger(attachment)) ?? { ...attachment, phase: 'releasing', updatedAt: '' };
    await this.remove({ ...record, ip: record.ip ?? request.ip }, `release-requested: ${request.reason}`, false);
  }

  /**
   * Tears down a pod the agent knows by its record and gives its address back; the caller holds the lock.
   * With `deferRelease`, a transient allocator failure leaves the record in `releasing` for the repair loop
   * instead of failing.
   */
  async remove(record: PodRecord, reason: string, deferRelease: boolean): Promise<ReleaseOutcome> {
    if (record.phase === 'released') {
      await this.removeDevices(record);
      return 'released';
    }
    const releasing =
      record.phase === 'releasing' ? record : await this.deps.records.put({ ...record, phase: 'releasing' });
    await this.deps.dataplanes.teardown(releasing);
    if ((await this.releaseOrDefer(releasing, reason, deferRelease)) === 'deferred') {
      return 'deferred';
    }
    await this.deps.records.remove(record.containerId);
    return 'released';
  }

  /**
   * DEL of a policy-route pod: make the address unusable on the node (rules, route, veth down), give it back,
   * answer; the devices are deleted afterwards, which waits for the kernel (docs/node-agent.md, DEL). Until
   * they are gone the record says `released`, so a crash leaves the repair loop a trace to finish.
   */
  private async removeStaged(record: PodRecord & { ip: string }, reason: string): Promise<DevicesLeft | null> {
    const timer = new StepTimer();
    const [written] = await settleBoth(
      record.phase === 'releasing' ? Promise.resolve(record) : this.deps.records.put({ ...record, phase: 'releasing' }),
      this.deps.dataplanes.isolate(record),
    );
    timer.mark('isolateMs');
    if ((await this.releaseOrDefer(record, reason, true)) === 'deferred') {
      // The record stays `releasing`: the repair loop tears the rest down and releases the address.
      return null;
    }
    timer.mark('releaseMs');
    this.deps.logger.debug('cni del timings', { containerId: record.containerId, ...timer.fields() });
    const released = { ...written, phase: 'released' as const };
    return async () => {
      // A request that came in meanwhile (a new ADD, a repair pass) wrote its own record: that one is not ours.
      const current = await this.deps.records.get(record.containerId);
      if (current?.phase === 'releasing' && current.updatedAt === written.updatedAt) {
        await this.removeDevices(await this.deps.records.put(released));
      }
    };
  }

  /** With `mayDefer`, an allocator out of reach leaves the address to the repair loop instead of failing. */
  private async releaseOrDefer(record: PodRecord, reason: string, mayDefer: boolean): Promise<ReleaseOutcome> {
    try {
      await this.allocations.release(record.pod, record.containerId, reason);
      return 'released';
    } catch (error) {
      const failure = allocatorFailure(error);
      if (!mayDefer || !isTransient(failure)) {
        throw failure;
      }
      this.deps.logger.warn('address release deferred to the repair loop', {
        containerId: record.containerId,
        ip: record.ip,
        error: failure.message,
      });
      return 'deferred';
    }
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
      const allocation = await this.allocations.get(request.pod, request.traceparent);
      return recordFromAllocation(base, allocation, this.deps.node);
    } catch {
      return base;
    }
  }
}

const attachmentOf = (request: PodAttachment): PodAttachment => ({
  containerId: request.containerId,
  netns: request.netns,
  ifName: request.ifName,
});
