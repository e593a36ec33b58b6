import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { DomainError, type DomainErrorCode, invalidArgument } from '@ipledger/domain';
import { AccessDeniedError } from '../tls/access-denied.error.js';
import { INTERNAL_MESSAGE, toGrpcFailure } from './grpc-status.mapper.js';

describe('toGrpcFailure', () => {
  it.each<[DomainErrorCode, grpc.status]>([
    ['invalid-argument', grpc.status.INVALID_ARGUMENT],
    ['not-found', grpc.status.NOT_FOUND],
    ['failed-precondition', grpc.status.FAILED_PRECONDITION],
    ['resource-exhausted', grpc.status.RESOURCE_EXHAUSTED],
    ['unavailable', grpc.status.UNAVAILABLE],
    ['conflict', grpc.status.ABORTED],
    ['illegal-state', grpc.status.FAILED_PRECONDITION],
  ])('maps DomainError %s to status %i', (code, status) => {
    const failure = toGrpcFailure(new DomainError(code, 'what happened'));
    expect(failure).toMatchObject({ code: status, message: 'what happened', unexpected: false });
  });

  it('puts the reason into the message and the ipledger-reason trailer', () => {
    const failure = toGrpcFailure(new DomainError('resource-exhausted', 'no address now', { reason: 'vswitch-full' }));
    expect(failure.message).toBe('no address now (reason: vswitch-full)');
    expect(failure.metadata.get('ipledger-reason')).toEqual(['vswitch-full']);
  });

  it('does not repeat a reason the message already states', () => {
    const failure = toGrpcFailure(new DomainError('resource-exhausted', 'pool-empty on n1', { reason: 'pool-empty' }));
    expect(failure.message).toBe('pool-empty on n1');
  });

  it('names the field of an invalid argument in ipledger-field', () => {
    const failure = toGrpcFailure(invalidArgument('pod.uid', 'required'));
    expect(failure.message).toBe('pod.uid: required');
    expect(failure.metadata.get('ipledger-field')).toEqual(['pod.uid']);
  });

  it('maps access errors of the TLS edge', () => {
    expect(toGrpcFailure(new AccessDeniedError('unauthenticated', 'no cert')).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(toGrpcFailure(new AccessDeniedError('permission-denied', 'not yours')).code).toBe(
      grpc.status.PERMISSION_DENIED,
    );
  });

  it.each([new Error('connection terminated: password=hunter2'), 'a string', { code: 5 }])(
    'hides anything else behind INTERNAL: %s',
    (thrown) => {
      const failure = toGrpcFailure(thrown);
      expect(failure).toMatchObject({ code: grpc.status.INTERNAL, message: INTERNAL_MESSAGE, unexpected: true });
      expect(failure.metadata.getMap()).toEqual({});
    },
  );
});
