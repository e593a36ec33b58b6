import { describe, expect, it } from 'vitest';
import { DomainError, invalidArgument, type DomainErrorCode } from '@ipledger/domain';
import { type CniCommand } from '@ipledger/proto';
import { httpStatusFor, isEnvironmentField, mapHandlerError } from './cni-error.mapper.js';

describe('mapHandlerError', () => {
  it.each<[DomainErrorCode, Record<string, unknown>, number, number]>([
    ['invalid-argument', { field: 'ifName' }, 4, 400],
    ['invalid-argument', { field: 'CNI_NETNS' }, 4, 400],
    ['invalid-argument', { field: 'args.K8S_POD_UID' }, 4, 400],
    ['invalid-argument', { field: 'runtimeConfig.bandwidth' }, 7, 400],
    ['invalid-argument', {}, 7, 400],
    ['not-found', {}, 3, 404],
    ['failed-precondition', {}, 11, 503],
    ['resource-exhausted', { reason: 'eni-limit' }, 100, 503],
    ['unavailable', {}, 11, 503],
    ['conflict', {}, 11, 503],
    ['illegal-state', {}, 102, 409],
  ])('maps %s %o on ADD to CNI code %i, HTTP %i', (code, details, cniCode, httpStatus) => {
    const reply = mapHandlerError(new DomainError(code, 'it went wrong', details), 'ADD', '1.0.0');
    expect(reply).toMatchObject({ httpStatus, body: { cniVersion: '1.0.0', code: cniCode, msg: 'it went wrong' } });
  });

  it('carries DomainError details as JSON in details', () => {
    const reply = mapHandlerError(
      new DomainError('resource-exhausted', 'no IP', { reason: 'vswitch' }),
      'ADD',
      '1.1.0',
    );
    expect(reply?.body.details).toBe('{"reason":"vswitch"}');
  });

  it('keeps the field named by invalidArgument in the message', () => {
    expect(mapHandlerError(invalidArgument('netns', 'no such namespace'), 'CHECK', '1.1.0')?.body).toEqual({
      cniVersion: '1.1.0',
      code: 4,
      msg: 'netns: no such namespace',
      details: '{"field":"netns"}',
    });
  });

  it.each<CniCommand>(['DEL', 'GC'])('treats not-found on %s as success', (command) => {
    expect(mapHandlerError(new DomainError('not-found', 'gone'), command, '1.1.0')).toBeUndefined();
  });

  it.each<[DomainErrorCode, number]>([
    ['unavailable', 50],
    ['resource-exhausted', 50],
    ['failed-precondition', 50],
    ['not-found', 50],
    ['invalid-argument', 7],
  ])('maps %s on STATUS to %i', (code, cniCode) => {
    expect(mapHandlerError(new DomainError(code, 'x'), 'STATUS', '1.1.0')?.body.code).toBe(cniCode);
  });

  it('maps a foreign error to 999 with its message and no stack', () => {
    const err = new TypeError('cannot read properties of undefined');
    expect(mapHandlerError(err, 'ADD', '1.1.0')).toEqual({
      httpStatus: 500,
      body: { cniVersion: '1.1.0', code: 999, msg: 'cannot read properties of undefined' },
    });
    expect(mapHandlerError('plain string', 'DEL', '1.1.0')?.body.msg).toBe('plain string');
  });

  it('recognises a DomainError from another copy of the module by name and code', () => {
    const lookalike = Object.assign(new Error('x'), { name: 'DomainError', code: 'unavailable', details: {} });
    expect(mapHandlerError(lookalike, 'ADD', '1.1.0')?.body.code).toBe(11);
  });
});

describe('isEnvironmentField / httpStatusFor', () => {
  it('tells environment fields from configuration fields', () => {
    expect(['containerId', 'netns', 'ifName', 'args', 'command', 'CNI_ARGS'].every(isEnvironmentField)).toBe(true);
    expect(['mtu', 'name', 'prevResult', 'netconf', undefined].some(isEnvironmentField)).toBe(false);
  });

  it('answers 500 for codes without a meaning of their own', () => {
    expect([5, 101, 999].map(httpStatusFor)).toEqual([500, 500, 500]);
  });
});
