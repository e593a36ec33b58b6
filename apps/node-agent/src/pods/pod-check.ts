// CNI CHECK: a pod is healthy when its record says `ready`, the ledger agrees with the record, and the dataplane
// finds nothing wrong. Every problem found is named at once, so one CHECK tells the whole story.
import { DomainError } from '@ipledger/domain';
import { type Allocation } from '@ipledger/proto';
import { allocatorFailure } from '../allocator/allocator-failure.js';
import { type PodAllocations } from './pod-allocations.js';
import { isConfigured } from './pod-dataplanes.js';
import { describeProblems, ledgerMismatches, podName } from './pod-ledger.js';
import { type CheckPod, type PodNetworkDeps } from './pod-network.types.js';

export class PodCheck {
  constructor(
    private readonly deps: Pick<PodNetworkDeps, 'node' | 'dataplanes' | 'records'>,
    private readonly allocations: PodAllocations,
  ) {}

  /** Throws a DomainError naming every way the pod differs from the ledger and from what ADD set up. */
  async check(request: CheckPod): Promise<void> {
    const record = await this.deps.records.get(request.containerId);
    if (!record) {
      throw new DomainError('not-found', `no pod with container ${request.containerId} on this node`);
    }
    if (record.phase !== 'ready' || !isConfigured(record)) {
      throw new DomainError('illegal-state', `pod ${podName(record.pod)} is ${record.phase}, not ready`);
    }
    let allocation: Allocation;
    try {
      allocation = await this.allocations.get(record.pod, request.traceparent);
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
}
