import { describe, expect, it } from 'vitest';
import { type NodeEvent } from '../events.js';
import { deciderSpecification } from '../testing/decider-specification.js';
import {
  G7_4XLARGE,
  NODE,
  T0,
  VSW,
  allocated,
  at,
  eniOf,
  eniReady,
  ipOf,
  registeredEvent,
  released,
} from '../testing/node-fixtures.js';
import { type NodeCommand } from './node.commands.js';
import { nodeDecider } from './node.decider.js';
import { poolCounts } from './node.queries.js';

const spec = deciderSpecification(nodeDecider);
const registered = registeredEvent();
const [createRequested, created, attachRequested, attached, assigned] = eniReady(1, 3) as [
  NodeEvent,
  NodeEvent,
  NodeEvent,
  NodeEvent,
  NodeEvent,
];
const small = registeredEvent({ ...G7_4XLARGE, adapters: 2, ipv4PerAdapter: 3 });

const requestCreate: NodeCommand = {
  type: 'RequestEniCreate',
  clientToken: 'token-1',
  vswitch: VSW,
  securityGroupIds: ['sg-1'],
  now: T0,
};
const recordCreated: NodeCommand = {
  type: 'RecordEniCreated',
  clientToken: 'token-1',
  eniId: eniOf(1),
  mac: '02:00:00:00:00:01',
  vswitch: VSW,
  primaryIp: ipOf(1, 0),
  securityGroupIds: ['sg-1'],
  trunk: false,
  now: T0,
};

describe('ENI creation', () => {
  it('records the request, once per client token', () => {
    spec.given([registered]).when(requestCreate).then([createRequested]);
    spec.given([registered, createRequested]).when(requestCreate).thenNothing();
  });

  it('refuses a vSwitch of another zone and a creation beyond the instance limit', () => {
    spec
      .given([registered])
      .when({ ...requestCreate, vswitch: { ...VSW, zone: 'elsewhere' } })
      .thenThrows('invalid-argument');
    spec
      .given([small, createRequested])
      .when({ ...requestCreate, clientToken: 'token-2' })
      .thenThrows('resource-exhausted', 'eni-limit');
  });

  it('records the created ENI against its pending request, once', () => {
    spec.given([registered, createRequested]).when(recordCreated).then([created]);
    spec.given([registered, createRequested, created]).when(recordCreated).thenNothing();
    spec.given([registered]).when(recordCreated).thenThrows('illegal-state', 'not-requested');
  });

  it('closes a failed request, and only a pending one', () => {
    const failure: NodeCommand = {
      type: 'RecordEniCreateFailed',
      clientToken: 'token-1',
      vswitchId: VSW.id,
      code: 'InvalidVSwitchId.IpNotEnough',
      message: 'no address',
      now: at(1),
    };
    const { events, state } = spec.given([registered, createRequested]).when(failure).result();
    expect(events).toMatchObject([{ type: 'EniCreateFailed', data: { clientToken: 'token-1' } }]);
    expect(state.pendingEnis).toEqual({});
    spec.given([registered]).when(failure).thenNothing();
  });
});

describe('ENI attachment', () => {
  const attach: NodeCommand = { type: 'RequestEniAttach', eniId: eniOf(1), now: T0 };
  const recordAttached: NodeCommand = {
    type: 'RecordEniAttached',
    eniId: eniOf(1),
    mac: '02:00:00:00:00:01',
    deviceIndex: 1,
    now: T0,
  };

  it('records the request and the attachment, each once', () => {
    spec.given([registered, createRequested, created]).when(attach).then([attachRequested]);
    spec.given([registered, createRequested, created, attachRequested]).when(attach).thenNothing();
    spec.given([registered, createRequested, created, attachRequested]).when(recordAttached).then([attached]);
    spec.given([registered, createRequested, created, attachRequested, attached]).when(recordAttached).thenNothing();
  });

  it('makes the primary address of the attached ENI an idle pod address', () => {
    const { state } = spec.given([registered, createRequested, created, attachRequested]).when(recordAttached).result();
    expect(poolCounts(state)).toMatchObject({ idle: 1, total: 1 });
  });

  it('refuses an unknown ENI, an attachment never requested, and one beyond the instance limit', () => {
    spec.given([registered]).when(attach).thenThrows('not-found');
    spec.given([registered, createRequested, created]).when(recordAttached).thenThrows('illegal-state', 'eni-status');
    const second: NodeEvent[] = [
      { ...createRequested, data: { ...createRequested.data, clientToken: 'token-2' } } as NodeEvent,
      { ...created, data: { ...created.data, clientToken: 'token-2', eniId: 'eni-2' } } as NodeEvent,
    ];
    // adapters 2: one pod ENI. Creating a second is refused up front; had one slipped in, attaching it is too.
    spec
      .given([small, createRequested, created, attachRequested, ...second])
      .when({ ...attach, eniId: 'eni-2' })
      .thenThrows('resource-exhausted', 'eni-limit');
  });

  it('returns an ENI whose attachment failed for good to Available', () => {
    const failed: NodeCommand = {
      type: 'RecordCloudCallFailed',
      api: 'AttachNetworkInterface',
      code: 'InvalidInstanceId.NotFound',
      message: 'gone',
      retryable: false,
      requestId: 'req-1',
      eniId: eniOf(1),
      vswitchId: null,
      now: at(1),
    };
    const { events, state } = spec.given([registered, createRequested, created, attachRequested]).when(failed).result();
    expect(events).toMatchObject([{ type: 'CloudCallFailed', data: { api: 'AttachNetworkInterface', at: at(1) } }]);
    expect(state.enis[eniOf(1)]?.status).toBe('available');
    expect(state.lastCloudFailure?.code).toBe('InvalidInstanceId.NotFound');
  });
});

describe('address assignment', () => {
  const base = [small, createRequested, created, attachRequested, attached];
  const assign = (ips: string[], eniId = eniOf(1)): NodeCommand => ({ type: 'RecordIpsAssigned', eniId, ips, now: T0 });

  it('records new addresses as idle, skipping ones the ENI already has', () => {
    spec
      .given(base)
      .when(assign([ipOf(1, 1), ipOf(1, 2)]))
      .then([assigned]);
    spec
      .given([...base, assigned])
      .when(assign([ipOf(1, 1)]))
      .thenNothing();
  });

  it('refuses addresses beyond the per-ENI quota (primary counted) and ones on another ENI', () => {
    spec
      .given(base)
      .when(assign([ipOf(1, 1), ipOf(1, 2), ipOf(1, 3)]))
      .thenThrows('resource-exhausted', 'eni-ip-limit');
    spec
      .given([registered, ...eniReady(1, 2), ...eniReady(2, 1)])
      .when(assign([ipOf(1, 1)], eniOf(2)))
      .thenThrows('illegal-state', 'ip-on-other-eni');
  });

  it('refuses addresses for an ENI not in use', () => {
    spec
      .given([registered, createRequested, created])
      .when(assign([ipOf(1, 1)]))
      .thenThrows('illegal-state', 'eni-status');
  });
});

describe('address unassignment', () => {
  const base = [registered, ...eniReady(1, 4)];
  const unassign = (ips: string[]): NodeCommand => ({ type: 'RequestIpsUnassign', eniId: eniOf(1), ips, now: at(1) });
  const requested: NodeEvent = {
    type: 'IpsUnassignRequested',
    data: { node: NODE, eniId: eniOf(1), ips: [ipOf(1, 2), ipOf(1, 3)], at: at(1) },
  };

  it('records idle addresses as leaving, then gone; repeats record nothing', () => {
    spec
      .given(base)
      .when(unassign([ipOf(1, 2), ipOf(1, 3)]))
      .then([requested]);
    spec
      .given([...base, requested])
      .when(unassign([ipOf(1, 2)]))
      .thenNothing();
    const done: NodeCommand = {
      type: 'RecordIpsUnassigned',
      eniId: eniOf(1),
      ips: [ipOf(1, 2), ipOf(1, 3)],
      now: at(2),
    };
    const { events, state } = spec
      .given([...base, requested])
      .when(done)
      .result();
    expect(events).toMatchObject([{ type: 'IpsUnassigned', data: { ips: [ipOf(1, 2), ipOf(1, 3)] } }]);
    expect(poolCounts(state).total).toBe(2);
    spec
      .given([...base, requested, ...events])
      .when(done)
      .thenNothing();
  });

  it('never gives back an allocated, cooling or primary address', () => {
    spec
      .given([...base, allocated(1, ipOf(1, 2), eniOf(1))])
      .when(unassign([ipOf(1, 2)]))
      .thenThrows('illegal-state', 'ip-in-use');
    spec
      .given([...base, allocated(1, ipOf(1, 2), eniOf(1)), ...released(1, ipOf(1, 2), eniOf(1), at(1))])
      .when(unassign([ipOf(1, 2)]))
      .thenThrows('illegal-state', 'ip-in-use');
    spec
      .given(base)
      .when(unassign([ipOf(1, 0)]))
      .thenThrows('illegal-state', 'ip-in-use');
  });

  it('refuses recording an unassignment that was not requested', () => {
    spec
      .given(base)
      .when({ type: 'RecordIpsUnassigned', eniId: eniOf(1), ips: [ipOf(1, 2)], now: at(2) })
      .thenThrows('illegal-state', 'not-requested');
  });
});

describe('ENI detachment and deletion', () => {
  const base = [registered, ...eniReady(1, 2)];
  const detach: NodeCommand = { type: 'RequestEniDetach', eniId: eniOf(1), now: at(1) };
  const detachRequested: NodeEvent = { type: 'EniDetachRequested', data: { node: NODE, eniId: eniOf(1), at: at(1) } };
  const detached: NodeEvent = { type: 'EniDetached', data: { node: NODE, eniId: eniOf(1), at: at(2) } };
  const deleted: NodeEvent = { type: 'EniDeleted', data: { node: NODE, eniId: eniOf(1), at: at(3) } };

  it('takes an idle ENI away: detach requested, detached, deleted, each once', () => {
    spec.given(base).when(detach).then([detachRequested]);
    spec
      .given([...base, detachRequested])
      .when(detach)
      .thenNothing();
    spec
      .given([...base, detachRequested])
      .when({ type: 'RecordEniDetached', eniId: eniOf(1), now: at(2) })
      .then([detached]);
    const { events, state } = spec
      .given([...base, detachRequested, detached])
      .when({ type: 'RecordEniDeleted', eniId: eniOf(1), now: at(3) })
      .result();
    expect(events).toEqual([deleted]);
    expect(state.ips.size).toBe(0);
    expect(state.enis[eniOf(1)]?.status).toBe('deleted');
  });

  it('makes the addresses of a leaving ENI unavailable at once', () => {
    const { state } = spec.given(base).when(detach).result();
    expect(poolCounts(state).idle).toBe(0);
  });

  it('refuses to detach an ENI that still carries a pod or a cooling address', () => {
    spec
      .given([...base, allocated(1, ipOf(1, 1), eniOf(1))])
      .when(detach)
      .thenThrows('illegal-state', 'eni-in-use');
    spec
      .given([...base, allocated(1, ipOf(1, 1), eniOf(1)), ...released(1, ipOf(1, 1), eniOf(1), at(1))])
      .when(detach)
      .thenThrows('illegal-state', 'eni-in-use');
  });

  it('refuses to delete an ENI still attached; deletes a never-attached one', () => {
    spec
      .given(base)
      .when({ type: 'RecordEniDeleted', eniId: eniOf(1), now: at(3) })
      .thenThrows('illegal-state', 'eni-status');
    spec
      .given([registered, createRequested, created])
      .when({ type: 'RecordEniDeleted', eniId: eniOf(1), now: at(3) })
      .then([deleted]);
  });
});

describe('CloudCallFailed', () => {
  it('is recorded for a registered node with the instance it concerns', () => {
    const { state } = spec
      .given([registered])
      .when({
        type: 'RecordCloudCallFailed',
        api: 'AssignPrivateIpAddresses',
        code: 'Throttling',
        message: 'slow down',
        retryable: true,
        requestId: null,
        eniId: eniOf(1),
        vswitchId: null,
        now: at(5),
      })
      .result();
    expect(state.lastCloudFailure).toMatchObject({ node: NODE, code: 'Throttling', retryable: true, at: at(5) });
  });
});
