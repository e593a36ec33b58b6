// The port the gRPC edge calls for pod addresses. Implemented by the application layer; errors are
// DomainErrors (libs/domain) whose codes the edge maps to gRPC statuses in one place.
import { type OwnerRef, type PodRef } from '@ipledger/domain';
import { type AllocationResult, type ReleaseResult } from './allocator.views.js';
import { type CallContext } from './call-context.js';

export interface AllocateIpCommand {
  node: string;
  pod: PodRef;
  containerId: string;
  owner: OwnerRef | null;
  /** The caller's key, or `<pod uid>/<container id>` when it sent none (AllocateIp is idempotent on both). */
  idempotencyKey: string;
}

export interface ReleaseIpCommand {
  node: string;
  pod: PodRef;
  containerId: string;
  /** Free text from the caller ('' when none), recorded with the release. */
  reason: string;
}

/** A pod by namespace and name; `uid` narrows to one incarnation when given. */
export interface PodSelector {
  namespace: string;
  name: string;
  uid: string | null;
}

export type AllocationQuery = { by: 'pod'; pod: PodSelector } | { by: 'ip'; ip: string };

export interface AllocationService {
  /** RESOURCE_EXHAUSTED-coded DomainError when no address can be had now; FAILED_PRECONDITION when the node is unknown. */
  allocateIp(command: AllocateIpCommand, ctx: CallContext): Promise<AllocationResult>;
  releaseIp(command: ReleaseIpCommand, ctx: CallContext): Promise<ReleaseResult>;
  /** NOT_FOUND-coded DomainError when nothing matches. */
  getAllocation(query: AllocationQuery, ctx: CallContext): Promise<AllocationResult>;
  listAllocations(node: string, ctx: CallContext): Promise<AllocationResult[]>;
}

export const ALLOCATION_SERVICE = Symbol('ALLOCATION_SERVICE');
