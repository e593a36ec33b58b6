import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { type NodeEvent } from '../events.js';
import {
  NODE,
  VSW,
  allocate,
  allocated,
  at,
  eniOf,
  eniReady,
  ipOf,
  pod,
  registeredEvent,
  released,
} from '../testing/node-fixtures.js';
import { NODE_SNAPSHOT_FORMAT, deserializeNodeState, serializeNodeState } from './node-snapshot.js';
import { decideNode } from './node.decider.js';
import { evolveNodeAll } from './node.evolve.js';
import { type NodeState, initialNodeState } from './node.state.js';

/** A node with every field of the state set: ENIs, a pending creation, IPs in each status, a cloud failure. */
const busyNode = (): NodeState =>
  evolveNodeAll(initialNodeState(), [
    registeredEvent(),
    ...eniReady(2, 4),
    ...eniReady(1, 3, at(1)),
    {
      type: 'EniCreateRequested',
      data: { node: NODE, clientToken: 'token-9', vswitch: VSW, securityGroupIds: ['sg-1', 'sg-2'], at: at(2) },
    },
    allocated(1, ipOf(2, 1), eniOf(2), at(3)),
    allocated(2, ipOf(2, 2), eniOf(2), at(4)),
    // An instant the fold cannot read: its epoch ms is NaN, which JSON alone would turn into null.
    allocated(3, ipOf(1, 1), eniOf(1), 'not-an-instant'),
    {
      type: 'IpReleaseRequested',
      data: { node: NODE, ip: ipOf(2, 2), pod: pod(2), containerId: 'c-2', reason: 'gone', at: at(5) },
    },
    ...released(1, ipOf(2, 1), eniOf(2), at(6), 30),
    {
      type: 'CloudCallFailed',
      data: {
        ...{ node: NODE, api: 'AssignPrivateIpAddresses', code: 'Throttling', message: 'slow down' },
        ...{ retryable: true, requestId: 'req-1', eniId: eniOf(1), vswitchId: VSW.id, at: at(7) },
      },
    },
  ] satisfies NodeEvent[]);

/** What a jsonb column gives back: JSON, with every object's keys in an order of Postgres' choosing. */
function throughJsonb(value: unknown): unknown {
  const reorder = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      return v.map(reorder);
    }
    if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v).sort(([a], [b]) => b.length - a.length || (a < b ? 1 : -1));
      return Object.fromEntries(entries.map(([k, x]) => [k, reorder(x)]));
    }
    return v;
  };
  return reorder(JSON.parse(JSON.stringify(value)));
}

describe('node state snapshots', () => {
  it('the fixture sets every field, NaN instants included', () => {
    const state = busyNode();
    expect(state.info).not.toBeNull();
    expect(Object.keys(state.enis)).toEqual([eniOf(2), eniOf(1)]);
    expect(Object.keys(state.pendingEnis)).toEqual(['token-9']);
    expect(new Set([...state.ips.values()].map((ip) => ip.status))).toEqual(
      new Set(['idle', 'allocated', 'releasing', 'cooling']),
    );
    expect(state.ips.get(ipOf(1, 1))?.sinceMs).toBeNaN();
    expect(state.pods.size).toBe(2);
    expect(state.lastCloudFailure?.code).toBe('Throttling');
    expect(state.lastPodActivityMs).toEqual(expect.any(Number));
  });

  it('gives back an equal state, with the same order in every Map and record, through JSON and jsonb', () => {
    const state = busyNode();
    const restored = deserializeNodeState(NODE_SNAPSHOT_FORMAT, throughJsonb(serializeNodeState(state)));
    expect(restored).toEqual(state);
    expect([...(restored?.ips.keys() ?? [])]).toEqual([...state.ips.keys()]);
    expect([...(restored?.pods.keys() ?? [])]).toEqual([...state.pods.keys()]);
    expect(Object.keys(restored?.enis ?? {})).toEqual(Object.keys(state.enis));
    expect(restored?.ips.get(ipOf(1, 1))?.sinceMs).toBeNaN();
    expect(restored?.ips.get(ipOf(2, 1))?.cooldownUntilMs).toBe(state.ips.get(ipOf(2, 1))?.cooldownUntilMs);
  });

  it('serialize(deserialize(x)) is x', () => {
    const serialized = throughJsonb(serializeNodeState(busyNode()));
    const state = deserializeNodeState(NODE_SNAPSHOT_FORMAT, serialized);
    expect(state).not.toBeNull();
    expect(throughJsonb(serializeNodeState(state as NodeState))).toEqual(serialized);
    const empty = serializeNodeState(initialNodeState());
    expect(serializeNodeState(deserializeNodeState(NODE_SNAPSHOT_FORMAT, throughJsonb(empty)) as NodeState)).toEqual(
      empty,
    );
  });

  it('a restored state decides as the original does', () => {
    const state = busyNode();
    const restored = deserializeNodeState(NODE_SNAPSHOT_FORMAT, throughJsonb(serializeNodeState(state)));
    const command = allocate(7, at(60));
    expect(decideNode(command, restored as NodeState)).toEqual(decideNode(command, state));
  });

  it('ignores a format it does not know', () => {
    const serialized = serializeNodeState(busyNode());
    expect(deserializeNodeState(NODE_SNAPSHOT_FORMAT + 1, serialized)).toBeNull();
    expect(deserializeNodeState(0, serialized)).toBeNull();
  });

  it('refuses data without the format’s shape', () => {
    const good = serializeNodeState(busyNode());
    const bad: unknown[] = [
      null,
      'state',
      { ...good, ips: {} },
      { ...good, pods: [['a']] },
      { ...good, ips: [[ipOf(1, 1), { ...good.ips[0][1], sinceMs: null }]] },
      { ...good, ips: [[ipOf(1, 1), { ...good.ips[0][1], ip: 7 }]] },
      { ...good, enis: [[eniOf(1), 'eni']] },
      { ...good, lastPodActivityMs: 'yesterday' },
    ];
    for (const data of bad) {
      expect(() => deserializeNodeState(NODE_SNAPSHOT_FORMAT, data)).toThrow(DomainError);
    }
  });
});
