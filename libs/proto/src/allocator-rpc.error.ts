// A failed call to the allocator, with the gRPC status and the reason/field the allocator put in the
// trailing metadata, so that callers (the node agent's CNI error mapping, the CLI) need not dig.
import * as grpc from '@grpc/grpc-js';
import { FIELD_METADATA_KEY, REASON_METADATA_KEY } from './allocator.messages.js';

export class AllocatorRpcError extends Error {
  override name = 'AllocatorRpcError';
  /** E.g. 'RESOURCE_EXHAUSTED'. */
  readonly codeName: string;
  /** Why, for RESOURCE_EXHAUSTED and similar (`ipledger-reason`), else null. */
  readonly reason: string | null;
  /** The offending request field for INVALID_ARGUMENT (`ipledger-field`), else null. */
  readonly field: string | null;

  constructor(
    readonly rpc: string,
    readonly code: grpc.status,
    readonly details: string,
    readonly metadata: grpc.Metadata,
  ) {
    const codeName = grpc.status[code] ?? String(code);
    super(`${rpc}: ${codeName}: ${details}`);
    this.codeName = codeName;
    this.reason = firstString(metadata, REASON_METADATA_KEY);
    this.field = firstString(metadata, FIELD_METADATA_KEY);
  }

  static from(rpc: string, error: unknown): AllocatorRpcError | Error {
    if (isServiceError(error)) {
      return new AllocatorRpcError(rpc, error.code, error.details, error.metadata ?? new grpc.Metadata());
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

function isServiceError(error: unknown): error is grpc.ServiceError {
  return error instanceof Error && typeof (error as Partial<grpc.ServiceError>).code === 'number';
}

function firstString(metadata: grpc.Metadata, key: string): string | null {
  const [value] = metadata.get(key);
  return typeof value === 'string' ? value : null;
}
