import { describe, expect, it } from 'vitest';
import { describeEvent, eventLine, ipList } from './event-lines.js';

const pod = { namespace: 'default', name: 'web-3', uid: 'u-1' };

describe('eventLine', () => {
  it('says which pod got which address on which node and ENI', () => {
    const line = eventLine({
      type: 'IpAllocated',
      data: {
        node: 'dev-node-2',
        ip: '10.0.1.12',
        eniId: 'eni-abc',
        pod,
        containerId: 'c1',
        owner: null,
        idempotencyKey: 'k',
        at: '2026-11-21T07:00:00Z',
      },
    });
    expect(line).toEqual({ text: 'pod default/web-3 → 10.0.1.12 on dev-node-2 (eni-abc)', warning: false });
  });

  it('names a registered node with its type, zone and pod limit', () => {
    const line = eventLine({
      type: 'NodeRegistered',
      data: {
        node: 'dev-node-1',
        instanceId: 'i-1',
        instanceType: 'ecs.g7.xlarge',
        zone: 'cn-hangzhou-h',
        mode: 'eniip',
        limits: { adapters: 4, ipv4PerAdapter: 15 },
        maxPods: 45,
        at: '2026-11-21T07:00:00Z',
      },
    });
    expect(line?.text).toBe(
      'registered node dev-node-1 (ecs.g7.xlarge, cn-hangzhou-h, eniip): max 45 pods (4 ENIs × 15 IPs)',
    );
  });

  it('marks trouble as a warning', () => {
    const line = eventLine({
      type: 'CloudCallFailed',
      data: { node: 'n', api: 'CreateNetworkInterface', code: 'Throttling', retryable: true },
    });
    expect(line).toEqual({ text: 'n: CreateNetworkInterface failed with Throttling (will retry)', warning: true });
  });

  it('leaves routine steps and unknown types out of the feed', () => {
    expect(eventLine({ type: 'PodTeardownConfirmed', data: { node: 'n', ip: '10.0.1.2', pod } })).toBeNull();
    expect(eventLine({ type: 'SomethingNew', data: {} })).toBeNull();
  });
});

describe('describeEvent', () => {
  it('describes routine steps too, for an address history', () => {
    expect(describeEvent({ type: 'PodTeardownConfirmed', data: { node: 'n', ip: '10.0.1.2', pod } })).toBe(
      'n: pod default/web-3 torn down, 10.0.1.2 unused',
    );
  });

  it('names an unknown type as it is', () => {
    expect(describeEvent({ type: 'SomethingNew', data: {} })).toBe('SomethingNew');
  });
});

describe('ipList', () => {
  it('lists up to three addresses and abbreviates longer runs', () => {
    expect(ipList(['10.0.1.2', '10.0.1.3'])).toBe('10.0.1.2, 10.0.1.3');
    expect(ipList(['10.0.1.2', '10.0.1.3', '10.0.1.4', '10.0.1.9'])).toBe('10.0.1.2 … 10.0.1.9');
  });
});
