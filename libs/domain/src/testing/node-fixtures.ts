// Event and command builders for node specs: a g7.4xlarge-like node and helpers that say what happened.
import { type InstanceLimits, type NodeEvent, type PodRef, type VSwitchRef } from '../events.js';
import { addSeconds } from '../instant.js';
import { maxPods } from '../limits.js';
import { type AllocateIp, type ReleaseIp } from '../node/node.commands.js';

export const NODE = 'node-a';
export const INSTANCE = 'i-a';
export const ZONE = 'cn-hangzhou-k';
export const T0 = '2026-01-01T00:00:00.000Z';
export const at = (seconds: number): string => addSeconds(T0, seconds);

export const G7_4XLARGE: InstanceLimits = {
  adapters: 8,
  ipv4PerAdapter: 30,
  ipv6PerAdapter: 30,
  totalAdapters: 24,
  memberAdapters: 16,
  trunkSupported: true,
};

export const VSW: VSwitchRef = { id: 'vsw-1', zone: ZONE, cidr: '10.0.0.0/16', gateway: '10.0.255.253' };

export const registeredEvent = (limits: InstanceLimits = G7_4XLARGE, mode: 'eniip' | 'eni' = 'eniip'): NodeEvent => ({
  type: 'NodeRegistered',
  data: {
    ...{ node: NODE, instanceId: INSTANCE, instanceType: 'ecs.g7.4xlarge', zone: ZONE, mode, limits },
    ...{ maxPods: maxPods(mode, limits), at: T0 },
  },
});

/** Address `n` of ENI number `e`: 10.0.e.n (n = 0 is the ENI's primary). */
export const ipOf = (e: number, n: number): string => `10.0.${e}.${n + 10}`;
export const eniOf = (e: number): string => `eni-${e}`;

/** ENI `e` requested, created, attached and holding `count` addresses (its primary included), all idle. */
export function eniReady(e: number, count: number, when = T0): NodeEvent[] {
  const eniId = eniOf(e);
  const clientToken = `token-${e}`;
  const mac = `02:00:00:00:00:${String(e).padStart(2, '0')}`;
  const events: NodeEvent[] = [
    {
      type: 'EniCreateRequested',
      data: { node: NODE, clientToken, vswitch: VSW, securityGroupIds: ['sg-1'], at: when },
    },
    {
      type: 'EniCreated',
      data: {
        ...{ node: NODE, eniId, mac, vswitch: VSW, primaryIp: ipOf(e, 0), securityGroupIds: ['sg-1'] },
        ...{ clientToken, trunk: false, at: when },
      },
    },
    { type: 'EniAttachRequested', data: { node: NODE, eniId, instanceId: INSTANCE, at: when } },
    { type: 'EniAttached', data: { node: NODE, eniId, instanceId: INSTANCE, mac, deviceIndex: e, at: when } },
  ];
  if (count > 1) {
    const ips = Array.from({ length: count - 1 }, (_, i) => ipOf(e, i + 1));
    events.push({ type: 'IpsAssigned', data: { node: NODE, eniId, ips, at: when } });
  }
  return events;
}

export const pod = (n: number): PodRef => ({ namespace: 'default', name: `pod-${n}`, uid: `uid-${n}` });

export const allocate = (n: number, now = T0, containerId = `c-${n}`): AllocateIp => ({
  type: 'AllocateIp',
  pod: pod(n),
  containerId,
  owner: null,
  idempotencyKey: `key-${n}`,
  now,
});

export const allocated = (n: number, ip: string, eniId: string, now = T0, containerId = `c-${n}`): NodeEvent => ({
  type: 'IpAllocated',
  data: { node: NODE, ip, eniId, pod: pod(n), containerId, owner: null, idempotencyKey: `key-${n}`, at: now },
});

export const release = (n: number, now: string, cooldownSeconds = 60): ReleaseIp => ({
  type: 'ReleaseIp',
  podUid: pod(n).uid,
  containerId: `c-${n}`,
  reason: 'pod-deleted',
  cooldownSeconds,
  now,
});

/** The node confirmed teardown of pod `n` at `now` and the address cools for `cooldownSeconds`. */
export const released = (n: number, ip: string, eniId: string, now: string, cooldownSeconds = 60): NodeEvent[] => [
  { type: 'PodTeardownConfirmed', data: { node: NODE, ip, pod: pod(n), containerId: `c-${n}`, at: now } },
  {
    type: 'IpReleased',
    data: {
      ...{ node: NODE, ip, eniId, pod: pod(n), containerId: `c-${n}`, reason: 'pod-deleted' },
      ...{ cooldownUntil: addSeconds(now, cooldownSeconds), at: now },
    },
  },
];
