// The allocator calls a pod's network makes, all for this node and under the agent's deadline. AllocateIp and
// GetAllocation carry the CNI call's traceparent, so the allocator's spans join the runtime's trace; ReleaseIp
// is also made by rollback and repair, which have no CNI call to join.
import { type Allocation, type PodRef } from '@ipledger/proto';
import { allocatorFailure } from '../allocator/allocator-failure.js';
import { type PodNetworkDeps } from './pod-network.types.js';

export class PodAllocations {
  constructor(private readonly deps: Pick<PodNetworkDeps, 'node' | 'allocator' | 'allocatorTimeoutMs'>) {}

  /** Idempotent per container: a retried ADD gets the address the first attempt got. */
  allocate(pod: PodRef, containerId: string, traceparent: string | undefined): Promise<Allocation> {
    return this.deps.allocator.allocateIp(
      { node: this.deps.node, pod, container_id: containerId, idempotency_key: `${pod.uid}/${containerId}` },
      this.callOptions(traceparent),
    );
  }

  get(pod: PodRef, traceparent: string | undefined): Promise<Allocation> {
    return this.deps.allocator.getAllocation({ pod }, this.callOptions(traceparent));
  }

  /** An allocation the ledger no longer holds counts as released: a retried release must not fail. */
  async release(pod: PodRef, containerId: string, reason: string): Promise<void> {
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
