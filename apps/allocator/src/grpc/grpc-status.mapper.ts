// The one place where errors become gRPC statuses. DomainError codes map to the statuses of DESIGN.md §5,
// with the reason and offending field in trailing metadata; access errors of the TLS edge map to
// UNAUTHENTICATED / PERMISSION_DENIED; anything else is INTERNAL with a generic message (the detail is
// logged, never sent).
import * as grpc from '@grpc/grpc-js';
import { DomainError, type DomainErrorCode } from '@ipledger/domain';
import { FIELD_METADATA_KEY, REASON_METADATA_KEY } from '@ipledger/proto';
import { AccessDeniedError } from '../tls/access-denied.error.js';

export interface GrpcFailure {
  code: grpc.status;
  message: string;
  metadata: grpc.Metadata;
  /** True when the error was not one ipledger meant to raise: log it with its stack. */
  unexpected: boolean;
}

export const INTERNAL_MESSAGE = 'internal error; the allocator logged the details';

export function statusOfDomainCode(code: DomainErrorCode): grpc.status {
  switch (code) {
    case 'invalid-argument':
      return grpc.status.INVALID_ARGUMENT;
    case 'not-found':
      return grpc.status.NOT_FOUND;
    case 'failed-precondition':
      return grpc.status.FAILED_PRECONDITION;
    case 'resource-exhausted':
      return grpc.status.RESOURCE_EXHAUSTED;
    case 'unavailable':
      return grpc.status.UNAVAILABLE;
    case 'conflict':
      return grpc.status.ABORTED;
    case 'illegal-state':
      return grpc.status.FAILED_PRECONDITION;
    default: {
      const unknownCode: never = code;
      return unknownCode;
    }
  }
}

export function toGrpcFailure(error: unknown): GrpcFailure {
  const metadata = new grpc.Metadata();
  if (error instanceof DomainError) {
    const { reason, field } = error.details;
    if (typeof reason === 'string' && reason !== '') {
      metadata.set(REASON_METADATA_KEY, reason);
    }
    if (typeof field === 'string' && field !== '') {
      metadata.set(FIELD_METADATA_KEY, field);
    }
    const message =
      typeof reason === 'string' && reason !== '' && !error.message.includes(reason)
        ? `${error.message} (reason: ${reason})`
        : error.message;
    return { code: statusOfDomainCode(error.code), message, metadata, unexpected: false };
  }
  if (error instanceof AccessDeniedError) {
    const code = error.kind === 'unauthenticated' ? grpc.status.UNAUTHENTICATED : grpc.status.PERMISSION_DENIED;
    return { code, message: error.message, metadata, unexpected: false };
  }
  return { code: grpc.status.INTERNAL, message: INTERNAL_MESSAGE, metadata, unexpected: true };
}

export function statusName(code: grpc.status): string {
  return grpc.status[code] ?? String(code);
}
