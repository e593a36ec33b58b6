import { describe, expect, it } from 'vitest';
import { type NodeEvent } from '../events.js';
import { deciderSpecification } from '../testing/decider-specification.js';
import {
  G7_4XLARGE,
  INSTANCE,
  NODE,
  T0,
  ZONE,
  allocate,
  allocated,
  at,
  eniOf,
  eniReady,
  ipOf,
  pod,
  registeredEvent,
  release,
  released,
} from '../testing/node-fixtures.js';
import { type RegisterNode } from './node.commands.js';
import { nodeDecider } from './node.decider.js';
import { findAllocation } from './node.queries.js';

const spec = deciderSpecification(nodeDecider);

const register = (overrides: Partial<RegisterNode> = {}): RegisterNode => ({
  type: 'RegisterNode',
  node: NODE,
  instanceId: INSTANCE,
  instanceType: 'ecs.g7.4xlarge',
  zone: ZONE,
  mode: 'eniip',
  limits: G7_4XLARGE,
  now: T0,
  ...overrides,
});

describe('RegisterNode', () => {
  it('records the node with its max pods derived from the mode and limits', () => {
    spec.given([]).when(register()).then([registeredEvent()]);
    spec
      .given([])
      .when(register({ mode: 'eni' }))
      .then([registeredEvent(G7_4XLARGE, 'eni')]);
  });

  it('records nothing when the same facts are registered again', () => {
    spec
      .given([registeredEvent()])
      .when(register({ now: at(5) }))
      .thenNothing();
  });

  it('records a resize of the same instance', () => {
    const limits = { ...G7_4XLARGE, adapters: 4 };
    const { events } = spec
      .given([registeredEvent()])
      .when(register({ instanceType: 'ecs.g7.xlarge', limits }))
      .result();
    expect(events).toMatchObject([{ type: 'NodeRegistered', data: { instanceType: 'ecs.g7.xlarge', maxPods: 90 } }]);
  });

  it('refuses another instance under the name while ENIs of the old one remain', () => {
    spec
      .given([registeredEvent(), ...eniReady(1, 1)])
      .when(register({ instanceId: 'i-b' }))
      .thenThrows('illegal-state', 'node-has-enis');
  });

  it('accepts another instance under the name once the node holds nothing', () => {
    const { events } = spec
      .given([registeredEvent()])
      .when(register({ instanceId: 'i-b' }))
      .result();
    expect(events).toMatchObject([{ type: 'NodeRegistered', data: { instanceId: 'i-b' } }]);
  });

  it('refuses empty facts', () => {
    spec
      .given([])
      .when(register({ zone: '' }))
      .thenThrows('invalid-argument');
  });
});

describe('AllocateIp', () => {
  it('refuses an unregistered node', () => {
    spec.given([]).when(allocate(1)).thenThrows('failed-precondition', 'node-not-registered');
  });

  it('takes an idle address of the fullest in-use ENI', () => {
    spec
      .given([registeredEvent(), ...eniReady(1, 5), ...eniReady(2, 5), allocated(9, ipOf(2, 0), eniOf(2))])
      .when(allocate(1, at(1)))
      .then([allocated(1, ipOf(2, 1), eniOf(2), at(1))]);
  });

  it('within the ENI, takes the address that rested longest', () => {
    const given: NodeEvent[] = [
      registeredEvent(),
      ...eniReady(1, 3),
      allocated(7, ipOf(1, 0), eniOf(1)),
      allocated(8, ipOf(1, 1), eniOf(1)),
      ...released(7, ipOf(1, 0), eniOf(1), at(10), 0),
      { type: 'IpCooldownEnded', data: { node: NODE, ip: ipOf(1, 0), at: at(10) } },
    ];
    // 10.0.1.10 rests since t+10, 10.0.1.12 since t0: the latter goes first.
    spec
      .given(given)
      .when(allocate(1, at(20)))
      .then([allocated(1, ipOf(1, 2), eniOf(1), at(20))]);
  });

  it('records nothing for the same pod and container again; the existing allocation stands', () => {
    const { events, state } = spec
      .given([registeredEvent(), ...eniReady(1, 2), allocated(1, ipOf(1, 0), eniOf(1))])
      .when(allocate(1, at(5)))
      .result();
    expect(events).toEqual([]);
    expect(findAllocation(state, 'uid-1', 'c-1')).toMatchObject({ ip: ipOf(1, 0), status: 'allocated' });
  });

  it('lets a new container of the same pod take over the address the pod holds', () => {
    const { events, state } = spec
      .given([registeredEvent(), ...eniReady(1, 2), allocated(1, ipOf(1, 0), eniOf(1))])
      .when(allocate(1, at(5), 'c-new'))
      .result();
    expect(events).toEqual([allocated(1, ipOf(1, 0), eniOf(1), at(5), 'c-new')]);
    expect(findAllocation(state, 'uid-1', 'c-1')).toBeNull();
    expect(findAllocation(state, 'uid-1', 'c-new')?.ip).toBe(ipOf(1, 0));
  });

  it('refuses with max-pods when the node networks as many pods as it may', () => {
    const limits = { ...G7_4XLARGE, adapters: 2, ipv4PerAdapter: 2 };
    spec
      .given([
        registeredEvent(limits),
        ...eniReady(1, 2),
        allocated(1, ipOf(1, 0), eniOf(1)),
        allocated(2, ipOf(1, 1), eniOf(1)),
      ])
      .when(allocate(3))
      .thenThrows('resource-exhausted', 'max-pods');
  });

  it('refuses with no-idle-ip when every address is taken or cooling', () => {
    spec
      .given([
        registeredEvent(),
        ...eniReady(1, 2),
        allocated(1, ipOf(1, 0), eniOf(1)),
        allocated(2, ipOf(1, 1), eniOf(1)),
        ...released(2, ipOf(1, 1), eniOf(1), at(1)),
      ])
      .when(allocate(3, at(2)))
      .thenThrows('resource-exhausted', 'no-idle-ip');
  });

  it('never hands out an address of an ENI that is not in use', () => {
    const attaching = eniReady(1, 1).slice(0, 3);
    spec
      .given([registeredEvent(), ...attaching])
      .when(allocate(1))
      .thenThrows('resource-exhausted', 'no-idle-ip');
  });
});

describe('RequestRelease', () => {
  const given = [registeredEvent(), ...eniReady(1, 2), allocated(1, ipOf(1, 0), eniOf(1))];
  const request = {
    type: 'RequestRelease',
    podUid: 'uid-1',
    containerId: 'c-1',
    reason: 'pod-gone',
    now: at(3),
  } as const;
  const requested: NodeEvent = {
    type: 'IpReleaseRequested',
    data: { node: NODE, ip: ipOf(1, 0), pod: pod(1), containerId: 'c-1', reason: 'pod-gone', at: at(3) },
  };

  it('asks for teardown while the address stays held', () => {
    const { events, state } = spec.given(given).when(request).result();
    expect(events).toEqual([requested]);
    expect(findAllocation(state, 'uid-1', 'c-1')?.status).toBe('releasing');
  });

  it('records nothing when already requested or for an unknown pod', () => {
    spec
      .given([...given, requested])
      .when(request)
      .thenNothing();
    spec
      .given(given)
      .when({ ...request, podUid: 'uid-x' })
      .thenNothing();
  });
});

describe('ReleaseIp', () => {
  const given = [registeredEvent(), ...eniReady(1, 2), allocated(1, ipOf(1, 0), eniOf(1))];

  it('confirms teardown and releases the address into its cooldown', () => {
    spec
      .given(given)
      .when(release(1, at(10), 60))
      .then(released(1, ipOf(1, 0), eniOf(1), at(10), 60));
  });

  it('also closes a release the allocator requested', () => {
    const requested: NodeEvent = {
      type: 'IpReleaseRequested',
      data: { node: NODE, ip: ipOf(1, 0), pod: pod(1), containerId: 'c-1', reason: 'pod-gone', at: at(3) },
    };
    spec
      .given([...given, requested])
      .when(release(1, at(10)))
      .then(released(1, ipOf(1, 0), eniOf(1), at(10)));
  });

  it('records nothing for an unknown pod or a repeated release', () => {
    spec
      .given(given)
      .when(release(2, at(10)))
      .thenNothing();
    spec
      .given([...given, ...released(1, ipOf(1, 0), eniOf(1), at(10))])
      .when(release(1, at(11)))
      .thenNothing();
  });

  it('refuses a negative cooldown', () => {
    spec
      .given(given)
      .when(release(1, at(10), -1))
      .thenThrows('invalid-argument');
  });
});

describe('the cooldown gate', () => {
  const busy = [registeredEvent(), ...eniReady(1, 1), allocated(1, ipOf(1, 0), eniOf(1))];
  const cooling = [...busy, ...released(1, ipOf(1, 0), eniOf(1), at(10), 60)];
  const ended: NodeEvent = { type: 'IpCooldownEnded', data: { node: NODE, ip: ipOf(1, 0), at: at(70) } };

  it('keeps a released address out of reach while it cools', () => {
    spec
      .given(cooling)
      .when(allocate(2, at(69)))
      .thenThrows('resource-exhausted', 'no-idle-ip');
  });

  it('ends nothing before the cooldown is over', () => {
    spec
      .given(cooling)
      .when({ type: 'EndCooldowns', now: at(69) })
      .thenNothing();
  });

  it('ends the cooldown once it is over, and the address may be handed out again', () => {
    spec
      .given(cooling)
      .when({ type: 'EndCooldowns', now: at(70) })
      .then([ended]);
    spec
      .given([...cooling, ended])
      .when(allocate(2, at(71)))
      .then([allocated(2, ipOf(1, 0), eniOf(1), at(71))]);
  });

  it('never frees an address whose teardown the node has not confirmed, however long ago', () => {
    const requested: NodeEvent = {
      type: 'IpReleaseRequested',
      data: { node: NODE, ip: ipOf(1, 0), pod: pod(1), containerId: 'c-1', reason: 'pod-gone', at: at(1) },
    };
    spec
      .given([...busy, requested])
      .when({ type: 'EndCooldowns', now: at(100_000) })
      .thenNothing();
    spec
      .given([...busy, requested])
      .when(allocate(2, at(100_000)))
      .thenThrows('resource-exhausted', 'no-idle-ip');
  });
});
