import { randomUUID } from 'node:crypto';
import { type LedgerEvent, type NodeEvent, nodeStream, vswitchStream } from '@ipledger/domain';
import { PostgresEventStore, assertSchemaInSync, createDataSource, rebuildProjections } from '@ipledger/event-store';
import { type TestDatabase, createTestDatabase } from '@ipledger/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AllocationRepository } from './allocation.repository.js';
import { EniRepository } from './eni.repository.js';
import { IpRepository } from './ip.repository.js';
import { NodeRepository } from './node.repository.js';
import { PROJECTION_ENTITIES, createProjections } from './index.js';

const meta = { actor: 'test/projections' };
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const VSW = { id: 'vsw-a', zone: 'z1', cidr: '10.1.0.0/24', gateway: '10.1.0.253' };
const LIMITS = {
  adapters: 3,
  ipv4PerAdapter: 4,
  ipv6PerAdapter: 0,
  totalAdapters: 3,
  memberAdapters: 0,
  trunkSupported: false,
};
const pod = (n: number, node = 'n1') => ({ namespace: node, name: `web-${n}`, uid: `uid-${node}-${n}` });

function nodeEvents(node: string, eni: string, base: number): NodeEvent[] {
  const ip = (n: number) => `10.1.0.${base + n}`;
  return [
    {
      type: 'NodeRegistered',
      data: {
        node,
        instanceId: `i-${node}`,
        instanceType: 'ecs.g7.large',
        zone: 'z1',
        mode: 'eniip',
        limits: LIMITS,
        maxPods: 8,
        at: at(0),
      },
    },
    {
      type: 'EniCreateRequested',
      data: { node, clientToken: `tok-${eni}`, vswitch: VSW, securityGroupIds: ['sg-1'], at: at(1) },
    },
    {
      type: 'EniCreated',
      data: {
        node,
        eniId: eni,
        mac: '02:00:00:00:00:01',
        vswitch: VSW,
        primaryIp: ip(0),
        securityGroupIds: ['sg-1'],
        clientToken: `tok-${eni}`,
        trunk: false,
        at: at(2),
      },
    },
    { type: 'EniAttachRequested', data: { node, eniId: eni, instanceId: `i-${node}`, at: at(3) } },
    {
      type: 'EniAttached',
      data: { node, eniId: eni, instanceId: `i-${node}`, mac: '02:00:00:00:00:01', deviceIndex: 1, at: at(4) },
    },
    { type: 'IpsAssigned', data: { node, eniId: eni, ips: [ip(1), ip(2), ip(3)], at: at(5) } },
    {
      type: 'IpAllocated',
      data: {
        node,
        ip: ip(1),
        eniId: eni,
        pod: pod(1, node),
        containerId: 'c1',
        owner: { kind: 'ReplicaSet', name: 'web', uid: 'rs-1' },
        idempotencyKey: 'k1',
        at: at(6),
      },
    },
    {
      type: 'IpAllocated',
      data: {
        node,
        ip: ip(2),
        eniId: eni,
        pod: pod(2, node),
        containerId: 'c2',
        owner: null,
        idempotencyKey: 'k2',
        at: at(7),
      },
    },
    // A new sandbox of pod 2 takes its address over.
    {
      type: 'IpAllocated',
      data: {
        node,
        ip: ip(2),
        eniId: eni,
        pod: pod(2, node),
        containerId: 'c2b',
        owner: null,
        idempotencyKey: 'k2b',
        at: at(8),
      },
    },
    {
      type: 'IpReleaseRequested',
      data: { node, ip: ip(1), pod: pod(1, node), containerId: 'c1', reason: 'pod-deleted', at: at(9) },
    },
    { type: 'PodTeardownConfirmed', data: { node, ip: ip(1), pod: pod(1, node), containerId: 'c1', at: at(10) } },
    {
      type: 'IpReleased',
      data: {
        node,
        ip: ip(1),
        eniId: eni,
        pod: pod(1, node),
        containerId: 'c1',
        reason: 'cni-del',
        cooldownUntil: at(70),
        at: at(10),
      },
    },
    { type: 'IpsUnassignRequested', data: { node, eniId: eni, ips: [ip(3)], at: at(11) } },
    { type: 'IpsUnassigned', data: { node, eniId: eni, ips: [ip(3)], at: at(12) } },
  ];
}

const vswitchEvents: LedgerEvent[] = [
  {
    type: 'VSwitchCapacityObserved',
    data: { vswitchId: 'vsw-a', zone: 'z1', cidr: '10.1.0.0/24', availableIpCount: 240, at: at(1) },
  },
  {
    type: 'VSwitchBlocked',
    data: { vswitchId: 'vsw-b', zone: 'z1', reason: 'InvalidVSwitchId.IpNotEnough', until: at(600), at: at(2) },
  },
];

const asNew = (events: LedgerEvent[]) => events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data }));

let db: TestDatabase;
let ds: DataSource;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase('allocator-projections');
  ds = createDataSource({ url: db.url, entities: PROJECTION_ENTITIES, poolSize: 5 });
  await ds.initialize();
  store = new PostgresEventStore(ds, createProjections(), { notify: false });
  await store.append(nodeStream('n1'), 0, asNew(nodeEvents('n1', 'eni-1', 10)), meta);
  await store.append(nodeStream('n2'), 0, asNew(nodeEvents('n2', 'eni-2', 20)), meta);
  await store.append(vswitchStream('vsw-a'), 0, asNew(vswitchEvents.slice(0, 1)), meta);
  await store.append(vswitchStream('vsw-b'), 0, asNew(vswitchEvents.slice(1)), meta);
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

async function dumpTables(): Promise<Record<string, unknown[]>> {
  const order: Record<string, string> = { nodes: 'name', enis: 'id', ips: 'ip', allocations: 'id', vswitches: 'id' };
  const dump: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(order)) {
    dump[table] = await ds.query(`SELECT * FROM ${table} ORDER BY ${key}`);
  }
  return dump;
}

describe('allocator projections', () => {
  it('entities and migrations describe the same tables', async () => {
    await expect(assertSchemaInSync(ds)).resolves.toBeUndefined();
  });

  it('keep nodes, ENIs, IPs and allocations as the events say', async () => {
    const node = await new NodeRepository(ds).findByName('n1');
    expect(node).toMatchObject({ instanceId: 'i-n1', mode: 'eniip', maxPods: 8, limits: LIMITS });

    const [eni] = await new EniRepository(ds).listByNode('n1');
    expect(eni).toMatchObject({
      id: 'eni-1',
      status: 'InUse',
      deviceIndex: 1,
      primaryIp: '10.1.0.10',
      vswitchCidr: '10.1.0.0/24',
    });

    const ips = await new IpRepository(ds).listByNode('n1');
    expect(ips.map((i) => [i.ip, i.state, i.isPrimary])).toEqual([
      ['10.1.0.10', 'idle', true],
      ['10.1.0.11', 'cooling', false],
      ['10.1.0.12', 'allocated', false],
    ]);
    expect(ips[1]?.cooldownUntil?.toISOString()).toBe(at(70));
    expect(await new IpRepository(ds).countByState('n1')).toEqual({
      idle: 1,
      allocated: 1,
      releasing: 0,
      cooling: 1,
      unassigning: 0,
    });

    const allocations = new AllocationRepository(ds);
    const active = await allocations.listActiveByNode('n1');
    expect(active.map((a) => [a.ip, a.pod.name, a.containerId])).toEqual([['10.1.0.12', 'web-2', 'c2b']]);
    expect(await allocations.findActiveByIp('10.1.0.11')).toBeNull();
    const history = (await allocations.listAll()).filter((a) => a.node === 'n1');
    const released = history.find((a) => a.containerId === 'c1');
    expect(released).toMatchObject({
      releaseReason: 'cni-del',
      owner: { kind: 'ReplicaSet', name: 'web', uid: 'rs-1' },
    });
    expect(released?.releasedAt?.toISOString()).toBe(at(10));
    expect(released?.teardownConfirmedAt?.toISOString()).toBe(at(10));
    expect(history.find((a) => a.containerId === 'c2')?.releaseReason).toBe('container-replaced');
    expect((await allocations.findActiveByPod({ namespace: 'n1', name: 'web-2' })).map((a) => a.ip)).toEqual([
      '10.1.0.12',
    ]);
  });

  it('refuse a second active allocation of one IP, rolling the whole append back', async () => {
    const stolen: LedgerEvent = {
      type: 'IpAllocated',
      data: {
        node: 'n2',
        ip: '10.1.0.12',
        eniId: 'eni-2',
        pod: pod(9),
        containerId: 'c9',
        owner: null,
        idempotencyKey: 'k9',
        at: at(20),
      },
    };
    const version = await store.streamVersion(nodeStream('n2'));
    await expect(store.append(nodeStream('n2'), version, asNew([stolen]), meta)).rejects.toThrow(
      /allocations_active_ip_key/,
    );
    expect(await store.streamVersion(nodeStream('n2'))).toBe(version);

    const samePod: LedgerEvent = {
      ...stolen,
      data: { ...stolen.data, ip: '10.1.0.20', pod: pod(2), containerId: 'c2b' },
    };
    await expect(store.append(nodeStream('n2'), version, asNew([samePod]), meta)).rejects.toThrow(
      /allocations_active_pod_key/,
    );
  });

  it('rebuilding from the events gives the same tables', async () => {
    const before = await dumpTables();
    expect(before.allocations).toHaveLength(6);
    expect(before.vswitches).toHaveLength(2);
    const result = await rebuildProjections(ds, createProjections());
    expect(result.tables.sort()).toEqual(['allocations', 'enis', 'ips', 'nodes', 'vswitches']);
    expect(await dumpTables()).toEqual(before);
  });

  it('drop what an ENI held when it is deleted', async () => {
    const version = await store.streamVersion(nodeStream('n2'));
    const gone: LedgerEvent[] = [
      { type: 'EniDetachRequested', data: { node: 'n2', eniId: 'eni-2', at: at(30) } },
      { type: 'EniDetached', data: { node: 'n2', eniId: 'eni-2', at: at(31) } },
      { type: 'EniDeleted', data: { node: 'n2', eniId: 'eni-2', at: at(32) } },
    ];
    await store.append(nodeStream('n2'), version, asNew(gone), meta);
    expect(await new EniRepository(ds).listByNode('n2')).toEqual([]);
    expect(await new IpRepository(ds).listByNode('n2')).toEqual([]);
    expect(await new AllocationRepository(ds).listActiveByNode('n2')).toEqual([]);
  });
});
