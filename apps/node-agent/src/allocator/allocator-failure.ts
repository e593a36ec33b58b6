// Failures of calls to the allocator, as DomainErrors the rest of the agent (and the CNI error mapping)
// understands. Anything that is not a refusal the allocator meant (a dead channel, a deadline, an internal
// error) is `unavailable`: the runtime tries again later (CNI code 11).
import { status } from '@grpc/grpc-js';
import { DomainError, type DomainErrorCode } from '@ipledger/domain';
import { AllocatorRpcError } from '@ipledger/proto';

function domainCode(code: status): DomainErrorCode {
  switch (code) {
    case status.INVALID_ARGUMENT:
      return 'invalid-argument';
    case status.NOT_FOUND:
      return 'not-found';
    case status.RESOURCE_EXHAUSTED:
      return 'resource-exhausted';
    case status.FAILED_PRECONDITION:
      return 'failed-precondition';
    case status.ALREADY_EXISTS:
    case status.ABORTED:
      return 'conflict';
    case status.OK:
    case status.CANCELLED:
    case status.UNKNOWN:
    case status.DEADLINE_EXCEEDED:
    case status.PERMISSION_DENIED:
    case status.OUT_OF_RANGE:
    case status.UNIMPLEMENTED:
    case status.INTERNAL:
    case status.UNAVAILABLE:
    case status.DATA_LOSS:
    case status.UNAUTHENTICATED:
      return 'unavailable';
  }
}

/** Request fields of AllocateIp that come from CNI_ARGS, so a refusal of them is the runtime's problem (4). */
const POD_FIELDS: Record<string, string> = {
  'pod.namespace': 'args.K8S_POD_NAMESPACE',
  'pod.name': 'args.K8S_POD_NAME',
  'pod.uid': 'args.K8S_POD_UID',
  container_id: 'containerId',
};

export function allocatorFailure(error: unknown): DomainError {
  if (error instanceof DomainError) {
    return error;
  }
  if (error instanceof AllocatorRpcError) {
    const code = domainCode(error.code);
    const details: Record<string, unknown> = { rpc: error.rpc, grpcStatus: error.codeName };
    if (error.reason) {
      details.reason = error.reason;
    }
    if (error.field) {
      details.field = POD_FIELDS[error.field] ?? error.field;
    }
    const prefix = code === 'unavailable' ? 'allocator unavailable, try again later: ' : 'allocator: ';
    return new DomainError(code, `${prefix}${error.message}`, details);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DomainError('unavailable', `allocator unreachable, try again later: ${message}`, {
    reason: 'allocator-unreachable',
  });
}

/** Whether retrying later may succeed (used to nak events instead of terminating them). */
export const isTransient = (error: DomainError): boolean =>
  error.code === 'unavailable' || error.code === 'conflict' || error.code === 'failed-precondition';
