import { Metadata, status } from '@grpc/grpc-js';
import { DomainError } from '@ipledger/domain';
import { AllocatorRpcError, FIELD_METADATA_KEY, REASON_METADATA_KEY } from '@ipledger/proto';
import { describe, expect, it } from 'vitest';
import { allocatorFailure, isTransient } from './allocator-failure.js';

function rpcError(code: status, details: string, meta: Record<string, string> = {}): AllocatorRpcError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(meta)) {
    metadata.set(key, value);
  }
  return new AllocatorRpcError('AllocateIp', code, details, metadata);
}

describe('allocatorFailure', () => {
  it('keeps the reason of RESOURCE_EXHAUSTED', () => {
    const failure = allocatorFailure(
      rpcError(status.RESOURCE_EXHAUSTED, 'no idle ip', { [REASON_METADATA_KEY]: 'max-pods' }),
    );
    expect(failure.code).toBe('resource-exhausted');
    expect(failure.details.reason).toBe('max-pods');
    expect(isTransient(failure)).toBe(false);
  });

  it('names the CNI_ARGS variable behind a refused pod field', () => {
    const failure = allocatorFailure(rpcError(status.INVALID_ARGUMENT, 'bad', { [FIELD_METADATA_KEY]: 'pod.uid' }));
    expect(failure.code).toBe('invalid-argument');
    expect(failure.details.field).toBe('args.K8S_POD_UID');
  });

  it.each([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.INTERNAL, status.UNKNOWN])(
    'treats gRPC status %s as unavailable',
    (code) => {
      const failure = allocatorFailure(rpcError(code, 'down'));
      expect(failure.code).toBe('unavailable');
      expect(isTransient(failure)).toBe(true);
    },
  );

  it('treats any other error as an unreachable allocator and passes DomainErrors through', () => {
    expect(allocatorFailure(new Error('ECONNREFUSED')).code).toBe('unavailable');
    const own = new DomainError('not-found', 'x');
    expect(allocatorFailure(own)).toBe(own);
  });
});
