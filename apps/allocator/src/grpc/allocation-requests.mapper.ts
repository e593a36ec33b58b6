// AllocateIp / ReleaseIp / GetAllocation requests → the commands and queries of the AllocationService port.
import { type OwnerRef, type PodRef } from '@ipledger/domain';
import type * as pb from '@ipledger/proto';
import {
  type AllocateIpCommand,
  type AllocationQuery,
  type PodSelector,
  type ReleaseIpCommand,
} from '../ports/index.js';
import {
  checkIpv4,
  checkLabel,
  checkPattern,
  checkRequired,
  checkSubdomain,
  present,
  RequestProblems,
  text,
} from './request-checks.js';

const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const UID = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

export function toAllocateIpCommand(request: pb.AllocateIpRequest): AllocateIpCommand {
  const problems = new RequestProblems();
  const node = checkSubdomain(problems, 'node', request.node);
  const pod = checkPod(problems, 'pod', request.pod);
  const containerId = checkContainerId(problems, request.container_id);
  const owner = checkOwner(problems, request.owner);
  const key = text(request.idempotency_key);
  if (key.length > 256) {
    problems.add('idempotency_key', 'longer than 256 characters');
  }
  problems.throwIfAny();
  return { node, pod, containerId, owner, idempotencyKey: key || `${pod.uid}/${containerId}` };
}

export function toReleaseIpCommand(request: pb.ReleaseIpRequest): ReleaseIpCommand {
  const problems = new RequestProblems();
  const command: ReleaseIpCommand = {
    node: checkSubdomain(problems, 'node', request.node),
    pod: checkPod(problems, 'pod', request.pod),
    containerId: checkContainerId(problems, request.container_id),
    reason: text(request.reason),
  };
  if (command.reason.length > 256) {
    problems.add('reason', 'longer than 256 characters');
  }
  problems.throwIfAny();
  return command;
}

export function toAllocationQuery(request: pb.GetAllocationRequest): AllocationQuery {
  const problems = new RequestProblems();
  const byPod = hasAnyField(request.pod);
  if (byPod === present(request.ip)) {
    problems.add('pod, ip', 'give exactly one of pod or ip');
    problems.throwIfAny();
  }
  const query: AllocationQuery = byPod
    ? { by: 'pod', pod: checkPodSelector(problems, 'pod', request.pod) }
    : { by: 'ip', ip: checkIpv4(problems, 'ip', request.ip) };
  problems.throwIfAny();
  return query;
}

export function checkPod(problems: RequestProblems, field: string, pod: Partial<PodRef> | null | undefined): PodRef {
  if (!pod) {
    problems.add(field, 'required');
    return { namespace: '', name: '', uid: '' };
  }
  return {
    namespace: checkLabel(problems, `${field}.namespace`, pod.namespace),
    name: checkSubdomain(problems, `${field}.name`, pod.name),
    uid: checkPattern(problems, `${field}.uid`, pod.uid, UID, 'a Kubernetes uid'),
  };
}

/** A pod by namespace and name, with an optional uid. */
export function checkPodSelector(
  problems: RequestProblems,
  field: string,
  pod: Partial<PodRef> | null | undefined,
): PodSelector {
  return {
    namespace: checkLabel(problems, `${field}.namespace`, pod?.namespace),
    name: checkSubdomain(problems, `${field}.name`, pod?.name),
    uid: present(pod?.uid) ? checkPattern(problems, `${field}.uid`, pod?.uid, UID, 'a Kubernetes uid') : null,
  };
}

export function hasAnyField(message: object | null | undefined): boolean {
  return !!message && Object.values(message).some((value) => present(value));
}

function checkContainerId(problems: RequestProblems, value: unknown): string {
  const id = checkPattern(problems, 'container_id', value, CONTAINER_ID, 'a container id');
  if (id.length > 256) {
    problems.add('container_id', 'longer than 256 characters');
  }
  return id;
}

function checkOwner(problems: RequestProblems, owner: Partial<OwnerRef> | null | undefined): OwnerRef | null {
  if (!hasAnyField(owner)) {
    return null;
  }
  return {
    kind: checkRequired(problems, 'owner.kind', owner?.kind, 63),
    name: checkSubdomain(problems, 'owner.name', owner?.name),
    uid: checkPattern(problems, 'owner.uid', owner?.uid, UID, 'a Kubernetes uid'),
  };
}
