// A pod's network on this node, from ADD to DEL: ask the ledger for an address, wire the dataplane, and undo
// both when anything in between fails. Every step is written to the pod's record first (pod-record.ts), so a
// crash at any point leaves a trace that the repair loop finishes: nothing half configured, no address leaked.
// The flows live in pod-setup.ts, pod-removal.ts and pod-check.ts; this façade serialises them per container
// and owns the work DEL leaves for after its answer.
import { type PodNetworkResult } from '../dataplane/index.js';
import { type PodRecord } from '../state/pod-record.js';
import { DeferredWork } from './deferred-work.js';
import { PodAllocations } from './pod-allocations.js';
import { PodCheck } from './pod-check.js';
import {
  type AddPod,
  type CheckPod,
  type DelPod,
  type PodNetworkDeps,
  type ReleaseRequest,
} from './pod-network.types.js';
import { PodRemoval, type ReleaseOutcome } from './pod-removal.js';
import { PodSetup } from './pod-setup.js';

export type { AddPod, CheckPod, DelPod, PodAttachment, PodNetworkDeps, ReleaseRequest } from './pod-network.types.js';
export type { ReleaseOutcome } from './pod-removal.js';

export class PodNetworkService {
  private readonly deferred: DeferredWork;
  private readonly setup: PodSetup;
  private readonly removal: PodRemoval;
  private readonly checker: PodCheck;

  constructor(private readonly deps: PodNetworkDeps) {
    this.deferred = new DeferredWork(deps.logger);
    const allocations = new PodAllocations(deps);
    this.removal = new PodRemoval(deps, allocations);
    this.setup = new PodSetup(deps, allocations, this.removal);
    this.checker = new PodCheck(deps, allocations);
  }

  /** Resolves once the devices of pods deleted so far are gone (DEL answers before deleting them). */
  settled(): Promise<void> {
    return this.deferred.settled();
  }

  add(request: AddPod): Promise<PodNetworkResult> {
    return this.deps.locks.run(request.containerId, () => this.setup.add(request));
  }

  del(request: DelPod): Promise<void> {
    const { containerId } = request;
    return this.deps.locks.run(containerId, async () => {
      const devicesLeft = await this.removal.del(request);
      if (devicesLeft) {
        // Queued on the lock while DEL still holds it, so it runs before any request for the pod that comes later.
        this.deferred.run('deleting the devices of a released pod', { containerId }, () =>
          this.deps.locks.run(containerId, devicesLeft),
        );
      }
    });
  }

  /** Throws a DomainError naming every way the pod differs from the ledger and from what ADD set up. */
  check(request: CheckPod): Promise<void> {
    return this.deps.locks.run(request.containerId, () => this.checker.check(request));
  }

  /**
   * The allocator asked for the pod's address back (IpReleaseRequested): tear the pod down, then confirm with
   * ReleaseIp. Transient failures throw, so the event is redelivered.
   */
  releaseRequested(request: ReleaseRequest): Promise<void> {
    return this.deps.locks.run(request.containerId, () => this.removal.releaseRequested(request));
  }

  /** GC: removes every pod whose container is not among `keep`, and returns their container ids. */
  async removeAllExcept(keep: ReadonlySet<string>, reason: string): Promise<string[]> {
    const { records } = await this.deps.records.list();
    const removed: string[] = [];
    for (const { containerId } of records.filter((r) => !keep.has(r.containerId))) {
      await this.deps.locks.run(containerId, async () => {
        const current = await this.deps.records.get(containerId);
        if (current) {
          await this.removal.remove(current, reason, true);
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
  removeLocked(record: PodRecord, reason: string, deferRelease: boolean): Promise<ReleaseOutcome> {
    return this.removal.remove(record, reason, deferRelease);
  }
}
