import { describe, expect, it } from 'vitest';
import { DomainError } from '@ipledger/domain';
import { toAllocateIpCommand, toAllocationQuery, toReleaseIpCommand } from './allocation-requests.mapper.js';
import { toHistoryQuery } from './history-request.mapper.js';
import { toNodeName, toRegisterNodeCommand } from './node-requests.mapper.js';

const pod = { namespace: 'kube-system', name: 'coredns-5d78c9869d-abcde', uid: '0b5d4c1e-8a57-1f2e-3d4c-5b6a9f1c2a4e' };

/** The invalid-argument error a mapper throws (fails the test when it throws none). */
function rejection(map: () => unknown): DomainError {
  try {
    map();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('invalid-argument');
    return error as DomainError;
  }
  throw new Error('the request was accepted');
}

describe('toAllocateIpCommand', () => {
  it('keeps an owner and an idempotency key when given', () => {
    const command = toAllocateIpCommand({
      node: 'cn-hangzhou.192.168.0.10',
      pod,
      container_id: 'abc123',
      owner: { kind: 'StatefulSet', name: 'db', uid: '11111111-2222-3333-4444-555555555555' },
      idempotency_key: 'retry-7',
    });
    expect(command).toEqual({
      node: 'cn-hangzhou.192.168.0.10',
      pod,
      containerId: 'abc123',
      owner: { kind: 'StatefulSet', name: 'db', uid: '11111111-2222-3333-4444-555555555555' },
      idempotencyKey: 'retry-7',
    });
  });

  it('treats an owner with every field empty as none', () => {
    const command = toAllocateIpCommand({ node: 'n1', pod, container_id: 'c', owner: { kind: '', name: '', uid: '' } });
    expect(command.owner).toBeNull();
  });

  it.each([
    [{ node: '' }, 'node: required'],
    [{ node: 'a'.repeat(254) }, 'node: must be a DNS-1123 subdomain'],
    [{ node: '-n1' }, 'node: must be a DNS-1123 subdomain'],
    [{ pod: { ...pod, namespace: 'Kube_System' } }, 'pod.namespace: must be a DNS-1123 label'],
    [{ pod: { ...pod, name: 'web 0' } }, 'pod.name: must be a DNS-1123 subdomain'],
    [{ pod: { ...pod, uid: '' } }, 'pod.uid: required'],
    [{ pod: { ...pod, uid: 'not a uid' } }, 'pod.uid: not a Kubernetes uid'],
    [{ container_id: '' }, 'container_id: required'],
    [{ container_id: '../etc' }, 'container_id: not a container id'],
    [{ owner: { kind: 'StatefulSet' } }, 'owner.name: required; owner.uid: required'],
    [{ idempotency_key: 'k'.repeat(257) }, 'idempotency_key: longer than 256 characters'],
  ])('rejects %j with %s', (override, message) => {
    const error = rejection(() => toAllocateIpCommand({ node: 'n1', pod, container_id: 'c1', ...override }));
    expect(error.message).toBe(message);
    expect(error.details.field).toBe(message.split(':')[0]);
  });
});

describe('toReleaseIpCommand', () => {
  it('requires the pod uid the release is keyed on', () => {
    const error = rejection(() =>
      toReleaseIpCommand({ node: 'n1', pod: { namespace: 'default', name: 'web-0' }, container_id: 'c1' }),
    );
    expect(error.message).toBe('pod.uid: required');
  });

  it('reads an empty reason as ""', () => {
    expect(toReleaseIpCommand({ node: 'n1', pod, container_id: 'c1' }).reason).toBe('');
  });
});

describe('toAllocationQuery', () => {
  it('takes a pod without uid', () => {
    expect(toAllocationQuery({ pod: { namespace: 'default', name: 'web-0', uid: '' } })).toEqual({
      by: 'pod',
      pod: { namespace: 'default', name: 'web-0', uid: null },
    });
  });

  it('rejects both selectors at once', () => {
    expect(rejection(() => toAllocationQuery({ pod, ip: '10.0.0.1' })).message).toBe(
      'pod, ip: give exactly one of pod or ip',
    );
  });
});

describe('toRegisterNodeCommand', () => {
  it.each([
    [{ instance_id: 'ins-1' }, 'instance_id: not an ECS instance id (i-…)'],
    [{ instance_type: 'large' }, 'instance_type: not an instance type (e.g. ecs.g7.large)'],
    [{ zone: 'Hangzhou' }, 'zone: not a zone id (e.g. cn-hangzhou-i)'],
  ])('rejects %j', (override, message) => {
    const request = { node: 'n1', instance_id: 'i-1', instance_type: 'ecs.g7.large', zone: 'cn-hangzhou-i' };
    expect(rejection(() => toRegisterNodeCommand({ ...request, ...override })).message).toBe(message);
  });

  it('takes every mode', () => {
    const request = { node: 'n1', instance_id: 'i-1', instance_type: 'ecs.g7.large', zone: 'cn-hangzhou-i' };
    for (const mode of ['eniip', 'eni', 'trunk', 'vpc'] as const) {
      expect(toRegisterNodeCommand({ ...request, mode }).mode).toBe(mode);
    }
  });
});

describe('toNodeName', () => {
  it('names the field', () => {
    expect(rejection(() => toNodeName({ node: 'UPPER' })).message).toBe('node: must be a DNS-1123 subdomain');
  });
});

describe('toHistoryQuery', () => {
  it.each([
    [{ eni: 'eni-0abc' }, { kind: 'eni', eniId: 'eni-0abc' }],
    [{ node: 'n1' }, { kind: 'node', node: 'n1' }],
    [
      { pod: { namespace: 'default', name: 'web-0' } },
      { kind: 'pod', pod: { namespace: 'default', name: 'web-0', uid: null } },
    ],
    [{ ip: '10.1.2.3' }, { kind: 'ip', ip: '10.1.2.3' }],
  ])('reads %j', (request, subject) => {
    expect(toHistoryQuery(request)).toEqual({ subject, from: null, to: null });
  });

  it('normalises bounds to UTC', () => {
    expect(toHistoryQuery({ node: 'n1', from: '2026-11-21T08:00:00+02:00', to: '2026-11-21T07:00:00.5Z' })).toEqual({
      subject: { kind: 'node', node: 'n1' },
      from: '2026-11-21T06:00:00.000Z',
      to: '2026-11-21T07:00:00.500Z',
    });
  });

  it.each([
    [{}, 'ip, pod, node, eni: give exactly one of ip, pod, node or eni'],
    [{ ip: '10.0.0.1', node: 'n1' }, 'ip, node: give exactly one of ip, pod, node or eni'],
    [{ eni: 'nic-1' }, 'eni: not an ENI id (eni-…)'],
    [{ node: 'n1', from: '2026-11-21' }, 'from: not an RFC 3339 time'],
    [{ node: 'n1', to: '2026-13-40T00:00:00Z' }, 'to: not an RFC 3339 time'],
    [{ node: 'n1', from: '2026-11-21T00:00:00Z', to: '2026-11-20T00:00:00Z' }, 'to: earlier than from'],
  ])('rejects %j', (request, message) => {
    expect(rejection(() => toHistoryQuery(request)).message).toBe(message);
  });
});
