import { describe, expect, it } from 'vitest';
import { foldEvents } from '../decider.js';
import { DomainError } from '../errors.js';
import { type InstanceLimits, type NodeEvent } from '../events.js';
import { type NodeCommand } from '../node/node.commands.js';
import { nodeDecider } from '../node/node.decider.js';
import { poolCounts } from '../node/node.queries.js';
import { type NodeState } from '../node/node.state.js';
import { type PoolConfig, poolConfig } from '../pool-config.js';
import {
  G7_4XLARGE,
  NODE,
  T0,
  VSW,
  allocate,
  allocated,
  at,
  eniOf,
  eniReady,
  ipOf,
  registeredEvent,
  released,
} from '../testing/node-fixtures.js';
import { MAX_IPS_PER_CALL, type PoolAction, planIdleReclaim, planPool } from './pool-planner.js';

const state = (...events: NodeEvent[]): NodeState => foldEvents(nodeDecider, events);
const evolveAll = (from: NodeState, events: NodeEvent[]): NodeState => events.reduce(nodeDecider.evolve, from);
const noWarmPool = poolConfig({ minPoolSize: 0, maxPoolSize: 0 });
const demand = (waitingPods: number) => ({ waitingPods, now: at(1000) });
const busy = (e: number, from: number, to: number): NodeEvent[] =>
  Array.from({ length: to - from }, (_, i) => allocated(e * 100 + from + i, ipOf(e, from + i), eniOf(e)));

describe('planPool: growth', () => {
  it('plans nothing for an unregistered node', () => {
    expect(planPool(state(), noWarmPool, demand(10))).toEqual([]);
  });

  it('fills the fullest in-use ENI first', () => {
    const s = state(registeredEvent(), ...eniReady(1, 5), ...eniReady(2, 20), ...busy(1, 0, 5), ...busy(2, 0, 20));
    expect(planPool(s, noWarmPool, demand(3))).toEqual([{ kind: 'assign-ips', eniId: eniOf(2), count: 3 }]);
  });

  it('asks for at most ten addresses per call, and spills to the next ENI when one is full', () => {
    const s = state(registeredEvent(), ...eniReady(1, 5), ...eniReady(2, 20), ...busy(1, 0, 5), ...busy(2, 0, 20));
    expect(planPool(s, noWarmPool, demand(25))).toEqual([
      { kind: 'assign-ips', eniId: eniOf(2), count: 10 },
      { kind: 'assign-ips', eniId: eniOf(1), count: 10 },
      { kind: 'assign-ips', eniId: eniOf(1), count: 5 },
    ]);
  });

  it('tops a partial call up to max_pool_size: the same call, more warm addresses', () => {
    const s = state(registeredEvent(), ...eniReady(1, 1), ...busy(1, 0, 1));
    expect(planPool(s, poolConfig({ minPoolSize: 0, maxPoolSize: 5 }), demand(3))).toEqual([
      { kind: 'assign-ips', eniId: eniOf(1), count: 8 },
    ]);
  });

  it('keeps min_pool_size idle addresses ready with nobody waiting', () => {
    const s = state(registeredEvent(), ...eniReady(1, 3));
    expect(planPool(s, poolConfig({ minPoolSize: 10, maxPoolSize: 10 }), demand(0))).toEqual([
      { kind: 'assign-ips', eniId: eniOf(1), count: 7 },
    ]);
  });

  it('creates an ENI only when the in-use ones are full', () => {
    const s = state(registeredEvent(), ...eniReady(1, 30), ...busy(1, 0, 30));
    expect(planPool(s, noWarmPool, demand(5))).toEqual([{ kind: 'create-eni' }]);
  });

  it('creates no second ENI for demand one already on its way will meet', () => {
    const full = [registeredEvent(), ...eniReady(1, 30), ...busy(1, 0, 30)];
    const [requested, created, attachRequested] = eniReady(2, 1) as [NodeEvent, NodeEvent, NodeEvent];
    expect(planPool(state(...full, requested), noWarmPool, demand(5))).toEqual([]);
    expect(planPool(state(...full, requested, created), noWarmPool, demand(30))).toEqual([]);
    expect(planPool(state(...full, requested, created, attachRequested), noWarmPool, demand(31))).toEqual([
      { kind: 'create-eni' },
    ]);
  });

  it('creates as many ENIs as a burst needs, and no more than the instance holds', () => {
    expect(planPool(state(registeredEvent()), noWarmPool, demand(61))).toEqual(Array(3).fill({ kind: 'create-eni' }));
    expect(planPool(state(registeredEvent()), noWarmPool, demand(1000))).toEqual(Array(7).fill({ kind: 'create-eni' }));
  });

  it('plans nothing beyond the instance limits when every ENI is full', () => {
    const full = Array.from({ length: 7 }, (_, e) => [...eniReady(e + 1, 30), ...busy(e + 1, 0, 30)]).flat();
    expect(planPool(state(registeredEvent(), ...full), noWarmPool, demand(50))).toEqual([]);
  });

  it('respects max pods: exclusive ENIs carry one pod each', () => {
    const s = state(registeredEvent(G7_4XLARGE, 'eni'), ...eniReady(1, 1), ...busy(1, 0, 1));
    expect(planPool(s, noWarmPool, demand(20))).toEqual(Array(6).fill({ kind: 'create-eni' }));
  });

  it('counts cooling addresses whose rest is over as supply', () => {
    const s = state(registeredEvent(), ...eniReady(1, 2), ...busy(1, 0, 2), ...released(100, ipOf(1, 0), eniOf(1), T0));
    expect(planPool(s, noWarmPool, { waitingPods: 1, now: at(30) })).toEqual([
      { kind: 'assign-ips', eniId: eniOf(1), count: 1 },
    ]);
    expect(planPool(s, noWarmPool, { waitingPods: 1, now: at(60) })).toEqual([]);
  });
});

describe('planPool: trim', () => {
  const config = poolConfig({ minPoolSize: 0, maxPoolSize: 5 });

  it('gives back idle addresses above max_pool_size from the emptiest ENI, ten per call', () => {
    const s = state(registeredEvent(), ...eniReady(1, 30), ...busy(1, 0, 10), ...eniReady(2, 10), ...busy(2, 0, 2));
    // idle 20 + 8 = 28, five may stay: 23 go, the 8 of eni-2 first.
    expect(planPool(s, config, demand(0))).toEqual([
      { kind: 'unassign-ips', eniId: eniOf(2), ips: Array.from({ length: 8 }, (_, i) => ipOf(2, i + 2)) },
      { kind: 'unassign-ips', eniId: eniOf(1), ips: Array.from({ length: 10 }, (_, i) => ipOf(1, i + 10)) },
      { kind: 'unassign-ips', eniId: eniOf(1), ips: Array.from({ length: 5 }, (_, i) => ipOf(1, i + 20)) },
    ]);
  });

  it('gives back the addresses that rested longest first', () => {
    // eni-1 holds 12 idle addresses; the lowest two were used and came back later, so they rested less.
    const cycled = [1, 2].flatMap((n) => [
      allocated(n, ipOf(1, n), eniOf(1), at(1)),
      ...released(n, ipOf(1, n), eniOf(1), at(2), 1),
      { type: 'IpCooldownEnded', data: { node: NODE, ip: ipOf(1, n), at: at(10 + n) } } satisfies NodeEvent,
    ]);
    const s = state(registeredEvent(), ...eniReady(1, 12), ...busy(1, 11, 12), ...cycled);
    expect(planPool(s, poolConfig({ minPoolSize: 0, maxPoolSize: 2 }), demand(0))).toEqual([
      { kind: 'unassign-ips', eniId: eniOf(1), ips: [3, 4, 5, 6, 7, 8, 9, 10, 1].map((n) => ipOf(1, n)) },
    ]);
  });

  it('deletes an ENI whose addresses are all idle and all surplus', () => {
    const s = state(registeredEvent(), ...eniReady(1, 30), ...busy(1, 0, 25), ...eniReady(2, 10));
    expect(planPool(s, config, demand(0))).toEqual([{ kind: 'delete-eni', eniId: eniOf(2) }]);
  });

  it('never trims below min_pool_size', () => {
    const s = state(registeredEvent(), ...eniReady(1, 30), ...busy(1, 0, 15));
    const actions = planPool(s, poolConfig({ minPoolSize: 12, maxPoolSize: 5 }), demand(0));
    expect(actions.flatMap((a) => (a.kind === 'unassign-ips' ? a.ips : []))).toHaveLength(3);
  });

  it('never trims while pods wait or while an ENI is on its way', () => {
    const s = state(registeredEvent(), ...eniReady(1, 30));
    expect(planPool(s, config, demand(2))).toEqual([]);
    expect(
      planPool(state(registeredEvent(), ...eniReady(1, 30), ...eniReady(2, 1).slice(0, 1)), config, demand(0)),
    ).toEqual([]);
  });

  it('never touches allocated, releasing or cooling addresses, nor the ENI holding them', () => {
    const s = state(
      registeredEvent(),
      ...eniReady(1, 10),
      ...busy(1, 0, 10),
      ...eniReady(2, 10),
      ...busy(2, 0, 10),
      ...released(200, ipOf(2, 0), eniOf(2), at(999)),
    );
    expect(planPool(s, poolConfig({ maxPoolSize: 0 }), demand(0))).toEqual([]);
  });
});

describe('planIdleReclaim', () => {
  // Reclaim after 60 s of quiet, two addresses per step, two kept idle; max_pool_size would keep 20.
  const reclaim = (overrides: Partial<PoolConfig['idleIpReclaim']> = {}, minPoolSize = 2): PoolConfig =>
    poolConfig({
      minPoolSize,
      maxPoolSize: 20,
      idleIpReclaim: { afterSeconds: 60, intervalSeconds: 10, batchSize: 2, jitterFactor: 0.1, ...overrides },
    });
  const quietAt = (seconds: number) => ({ waitingPods: 0, now: at(seconds) });
  const given = (...events: NodeEvent[]) => state(registeredEvent(), ...events);
  const given10Idle = (...events: NodeEvent[]) => given(...eniReady(1, 10), ...events);
  const unassigned = (actions: PoolAction[]): string[] =>
    actions.flatMap((a) => (a.kind === 'unassign-ips' ? a.ips : []));

  it('reclaims nothing when idle_ip_reclaim_after is unset, however long the pool was quiet', () => {
    const s = given10Idle();
    expect(planIdleReclaim(s, reclaim({ afterSeconds: null }), quietAt(86_400))).toEqual([]);
  });

  it('reclaims nothing before the pool was quiet for the whole period', () => {
    const s = given10Idle(allocated(1, ipOf(1, 9), eniOf(1), at(100)));
    expect(planIdleReclaim(s, reclaim(), quietAt(159))).toEqual([]);
  });

  it('once the period is over, gives back one batch: the longest rested addresses of the emptiest ENI', () => {
    // eni-1 has 8 of 10 addresses taken, eni-2 none of its 5: eni-2 goes first, and its primary stays.
    const s = given(...eniReady(1, 10), ...busy(1, 0, 8), ...eniReady(2, 5, at(30)));
    expect(planIdleReclaim(s, reclaim(), quietAt(60))).toEqual([
      { kind: 'unassign-ips', eniId: eniOf(2), ips: [ipOf(2, 1), ipOf(2, 2)] },
    ]);
  });

  it('counts the quiet period from the registration on a node where no pod ever ran', () => {
    const s = given10Idle();
    expect(planIdleReclaim(s, reclaim(), quietAt(59))).toEqual([]);
    expect(unassigned(planIdleReclaim(s, reclaim(), quietAt(60)))).toHaveLength(2);
  });

  it('never leaves fewer than min_pool_size idle: the last step is smaller, then nothing', () => {
    expect(unassigned(planIdleReclaim(given(...eniReady(1, 5)), reclaim(), quietAt(600)))).toHaveLength(2);
    expect(unassigned(planIdleReclaim(given(...eniReady(1, 3)), reclaim(), quietAt(600)))).toHaveLength(1);
    expect(planIdleReclaim(given(...eniReady(1, 2)), reclaim(), quietAt(600))).toEqual([]);
    expect(planIdleReclaim(given(...eniReady(1, 10)), reclaim({}, 10), quietAt(600))).toEqual([]);
  });

  it('does not count cooling addresses, whose rest is over or not, as idle against the floor', () => {
    const cooling = [...busy(1, 2, 5), ...[2, 3, 4].flatMap((n) => released(100 + n, ipOf(1, n), eniOf(1), at(1), 1))];
    // 5 addresses: 2 idle (primary and .11), 3 cooled down but not swept: nothing may go with min 2.
    expect(planIdleReclaim(given(...eniReady(1, 5), ...cooling), reclaim(), quietAt(600))).toEqual([]);
  });

  it('deletes an ENI whose addresses are all idle when the batch covers them all', () => {
    const s = given(...eniReady(1, 10), ...busy(1, 0, 9), ...eniReady(2, 2));
    expect(planIdleReclaim(s, reclaim({}, 1), quietAt(600))).toEqual([{ kind: 'delete-eni', eniId: eniOf(2) }]);
  });

  it('starts the quiet period again with every allocation', () => {
    const s = given10Idle(allocated(1, ipOf(1, 9), eniOf(1), at(100)));
    expect(planIdleReclaim(s, reclaim(), quietAt(100))).toEqual([]);
    expect(unassigned(planIdleReclaim(s, reclaim(), quietAt(160)))).toHaveLength(2);
    const again = evolveAll(s, [allocated(2, ipOf(1, 8), eniOf(1), at(150))]);
    expect(planIdleReclaim(again, reclaim(), quietAt(160))).toEqual([]);
    expect(unassigned(planIdleReclaim(again, reclaim(), quietAt(210)))).toHaveLength(2);
  });

  it('starts the quiet period again with every release', () => {
    const s = given10Idle(allocated(1, ipOf(1, 9), eniOf(1), at(100)), ...released(1, ipOf(1, 9), eniOf(1), at(140)));
    expect(planIdleReclaim(s, reclaim(), quietAt(160))).toEqual([]);
    expect(unassigned(planIdleReclaim(s, reclaim(), quietAt(200)))).toHaveLength(2);
  });

  it('reclaims nothing while pods wait or an ENI is on its way', () => {
    expect(planIdleReclaim(given10Idle(), reclaim(), { waitingPods: 1, now: at(600) })).toEqual([]);
    const arriving = given10Idle(...eniReady(2, 1).slice(0, 1));
    expect(planIdleReclaim(arriving, reclaim(), quietAt(600))).toEqual([]);
  });
});

// ------------------------------------------------------------------ whole bursts against a simulated saga

/** The fewest cloud calls that give `pods` pods an address on a node with `perEni` addresses per ENI. */
function minimalCalls(pods: number, perEni: number): number {
  let calls = 0;
  for (let left = pods; left > 0; left -= perEni) {
    calls += 2 + Math.ceil((Math.min(left, perEni) - 1) / MAX_IPS_PER_CALL); // create, attach, assigns
  }
  return calls;
}

/** Runs plans against the node decider as the allocator's saga would, counting cloud calls. */
function runBurst(limits: InstanceLimits, waves: number[]): { calls: number; state: NodeState; served: number } {
  let s = state(registeredEvent(limits));
  let calls = 0;
  let served = 0;
  let waiting = 0;
  let seq = 0;
  const apply = (command: NodeCommand): void => {
    s = nodeDecider.decide(command, s).reduce(nodeDecider.evolve, s);
  };
  const serve = (): void => {
    while (waiting > 0) {
      try {
        apply(allocate(++served));
        waiting -= 1;
      } catch (error) {
        served -= 1;
        if (error instanceof DomainError && error.code === 'resource-exhausted') {
          return;
        }
        throw error;
      }
    }
  };
  const run = (action: PoolAction): void => {
    const now = at(seq);
    if (action.kind === 'create-eni') {
      const e = ++seq;
      const eniId = eniOf(e);
      apply({ type: 'RequestEniCreate', clientToken: `t-${e}`, vswitch: VSW, securityGroupIds: [], now });
      const created = { eniId, mac: `m-${e}`, vswitch: VSW, primaryIp: ipOf(e, 0), trunk: false };
      apply({ type: 'RecordEniCreated', clientToken: `t-${e}`, ...created, securityGroupIds: [], now });
      apply({ type: 'RequestEniAttach', eniId, now });
      apply({ type: 'RecordEniAttached', eniId, mac: `m-${e}`, deviceIndex: e, now });
      calls += 2;
    } else if (action.kind === 'assign-ips') {
      expect(action.count).toBeLessThanOrEqual(MAX_IPS_PER_CALL);
      const e = Number(action.eniId.slice(4));
      const have = poolCounts(s).enis.find((x) => x.eniId === action.eniId)?.total ?? 0;
      const ips = Array.from({ length: action.count }, (_, i) => ipOf(e, have + i));
      apply({ type: 'RecordIpsAssigned', eniId: action.eniId, ips, now });
      calls += 1;
    } else {
      throw new Error(`a burst should not trim: ${action.kind}`);
    }
  };
  const config = poolConfig({ minPoolSize: 0, maxPoolSize: 5 });
  for (const wave of waves) {
    waiting += wave;
    for (let round = 0; round < 50 && waiting > 0; round += 1) {
      serve();
      const plan = planPool(s, config, { waitingPods: waiting, now: at(seq) });
      if (plan.length === 0) {
        break;
      }
      plan.forEach(run);
    }
    serve();
  }
  return { calls, state: s, served };
}

describe('planPool: cloud calls of a cold burst', () => {
  it('gives 210 pods on an ecs.g7.4xlarge their addresses in the fewest calls possible', () => {
    const { calls, state: s, served } = runBurst(G7_4XLARGE, [210]);
    expect(served).toBe(210);
    expect(poolCounts(s).allocated).toBe(210);
    expect(calls).toBe(minimalCalls(210, 30));
  });

  it('packs a partial burst into as few ENIs and calls as possible', () => {
    const { calls, served } = runBurst(G7_4XLARGE, [45]);
    expect(served).toBe(45);
    expect(calls).toBe(minimalCalls(45, 30));
  });

  it('stays within 1.1 x the minimum when pods arrive in waves of ten', () => {
    const { calls, served } = runBurst(G7_4XLARGE, Array(21).fill(10));
    expect(served).toBe(210);
    expect(calls).toBeLessThanOrEqual(1.1 * minimalCalls(210, 30));
  });

  it('stops at max pods, however many wait', () => {
    const { served, state: s } = runBurst(G7_4XLARGE, [300]);
    expect(served).toBe(210);
    expect(poolCounts(s).enis).toHaveLength(7);
  });
});
