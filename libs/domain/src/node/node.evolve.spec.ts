import { describe, expect, it } from 'vitest';
import { type NodeEvent } from '../events.js';
import { toEpochMs } from '../instant.js';
import {
  INSTANCE,
  NODE,
  allocated,
  at,
  eniOf,
  eniReady,
  ipOf,
  pod,
  registeredEvent,
  released,
} from '../testing/node-fixtures.js';
import { evolveNode, evolveNodeAll } from './node.evolve.js';
import { expiredCooldowns, nextCooldownEnd } from './node.queries.js';
import { initialNodeState } from './node.state.js';

/** A node's life with every kind of fact: ENIs come and go, pods take addresses, release them, cool down. */
const history: NodeEvent[] = [
  registeredEvent(),
  ...eniReady(1, 4),
  ...eniReady(2, 3, at(1)),
  allocated(1, ipOf(1, 1), eniOf(1), at(2)),
  allocated(2, ipOf(1, 2), eniOf(1), at(2)),
  // A new container of pod 2 takes its address over.
  allocated(2, ipOf(1, 2), eniOf(1), at(3), 'c-2b'),
  {
    type: 'IpReleaseRequested',
    data: { node: NODE, ip: ipOf(1, 1), pod: pod(1), containerId: 'c-1', reason: 'gone', at: at(4) },
  },
  ...released(1, ipOf(1, 1), eniOf(1), at(5), 30),
  { type: 'IpCooldownEnded', data: { node: NODE, ip: ipOf(1, 1), at: at(40) } },
  { type: 'IpsUnassignRequested', data: { node: NODE, eniId: eniOf(2), ips: [ipOf(2, 1)], at: at(41) } },
  { type: 'IpsUnassigned', data: { node: NODE, eniId: eniOf(2), ips: [ipOf(2, 1)], at: at(42) } },
  { type: 'EniDetachRequested', data: { node: NODE, eniId: eniOf(2), at: at(43) } },
  { type: 'EniDetached', data: { node: NODE, eniId: eniOf(2), at: at(44) } },
  { type: 'EniDeleted', data: { node: NODE, eniId: eniOf(2), at: at(45) } },
  {
    type: 'CloudCallFailed',
    data: {
      ...{ node: NODE, api: 'AttachNetworkInterface', code: 'Throttling', message: 'slow down' },
      ...{ retryable: true, requestId: null, eniId: null, vswitchId: null, at: at(46) },
    },
  },
  { type: 'EniAttachRequested', data: { node: NODE, eniId: 'eni-unknown', instanceId: INSTANCE, at: at(47) } },
];

describe('evolveNodeAll', () => {
  it('leads to the same state as folding the events one at a time', () => {
    for (let cut = 0; cut <= history.length; cut++) {
      const start = history.slice(0, cut).reduce(evolveNode, initialNodeState());
      const rest = history.slice(cut);
      expect(evolveNodeAll(start, rest)).toEqual(rest.reduce(evolveNode, start));
    }
  });

  it('leaves the state it folds into untouched', () => {
    const start = history.slice(0, 12).reduce(evolveNode, initialNodeState());
    const before = structuredClone(start);
    const next = evolveNodeAll(start, history.slice(12));
    expect(start).toEqual(before);
    expect(next.ips).not.toBe(start.ips);
  });

  it('shares the records no event changed', () => {
    const start = history.slice(0, 12).reduce(evolveNode, initialNodeState());
    const next = evolveNodeAll(start, [allocated(3, ipOf(1, 3), eniOf(1), at(9))]);
    expect(next.enis).toBe(start.enis);
    expect(next.pendingEnis).toBe(start.pendingEnis);
    expect(evolveNodeAll(start, [])).toBe(start);
  });

  it('keeps the instants it folds in milliseconds too', () => {
    const releasedAt = history.findIndex((e) => e.type === 'IpReleased');
    const state = history.slice(0, releasedAt + 1).reduce(evolveNode, initialNodeState());
    const cooling = state.ips.get(ipOf(1, 1));
    expect(cooling).toMatchObject({ status: 'cooling', since: at(5), sinceMs: toEpochMs(at(5)) });
    expect(cooling?.cooldownUntilMs).toBe(toEpochMs(at(35)));
    expect(nextCooldownEnd(state)).toBe(toEpochMs(at(35)));
    expect(expiredCooldowns(state, at(34))).toEqual([]);
    expect(expiredCooldowns(state, at(35)).map((ip) => ip.ip)).toEqual([ipOf(1, 1)]);
  });

  it('remembers when a pod last took or gave up an address, and nothing else moves it', () => {
    const upTo = (type: NodeEvent['type'], nth = 1) => {
      let seen = 0;
      const end = history.findIndex((e) => e.type === type && ++seen === nth);
      return history.slice(0, end + 1).reduce(evolveNode, initialNodeState());
    };
    expect(upTo('IpsAssigned').lastPodActivityMs).toBeNull();
    expect(upTo('IpAllocated', 3).lastPodActivityMs).toBe(toEpochMs(at(3)));
    expect(upTo('IpReleaseRequested').lastPodActivityMs).toBe(toEpochMs(at(4)));
    expect(upTo('PodTeardownConfirmed').lastPodActivityMs).toBe(toEpochMs(at(5)));
    // Cooldowns ending, give-backs, ENIs going and cloud failures are not pod activity.
    expect(history.reduce(evolveNode, initialNodeState()).lastPodActivityMs).toBe(toEpochMs(at(5)));
  });

  it('folds a recorded instant it cannot read without failing', () => {
    const state = evolveNodeAll(initialNodeState(), [
      registeredEvent(),
      ...eniReady(1, 2),
      allocated(1, ipOf(1, 1), eniOf(1), 'not a time'),
    ]);
    expect(state.ips.get(ipOf(1, 1))).toMatchObject({ status: 'allocated', since: 'not a time', sinceMs: NaN });
  });
});
