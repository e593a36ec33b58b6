import { randomUUID } from 'node:crypto';
import { type LedgerEvent, type NodeEvent, nodeStream, vswitchStream } from '@ipledger/domain';
import {
  PostgresEventStore,
  type RecordedEvent,
  assertSchemaInSync,
  createDataSource,
  rebuildProjections,
} from '@ipledger/event-store';
import { type TestDatabase, createTestDatabase } from '@ipledger/testing';
import type { DataSource, EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AllocationRepository } from './allocation.repository.js';
import { EniRepository } from './eni.repository.js';
import { IpRepository } from './ip.repository.js';
import { NodeRepository } from './node.repository.js';
import { AddressesProjection } from './addresses.projection.js';
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

async function dumpTables(em: Pick<EntityManager, 'query'> = ds): Promise<Record<string, unknown[]>> {
  const order: Record<string, string> = { nodes: 'name', enis: 'id', ips: 'ip', allocations: 'id', vswitches: 'id' };
  const dump: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(order)) {
    dump[table] = await em.query(`SELECT * FROM ${table} ORDER BY ${key}`);
  }
  return dump;
}

/** Hot events with every fold and wave break the batch form knows, and an ordinary event among them. */
function hotSequence(): LedgerEvent[] {
  const allocated = (node: string, ip: string, n: number, containerId: string, s: number): LedgerEvent => ({
    type: 'IpAllocated',
    data: {
      node,
      ip,
      eniId: node === 'n1' ? 'eni-1' : 'eni-2',
      pod: pod(n, node),
      containerId,
      owner: null,
      idempotencyKey: `${n}/${containerId}`,
      at: at(s),
    },
  });
  const ended = (node: string, ip: string, s: number): LedgerEvent => ({
    type: 'IpCooldownEnded',
    data: { node, ip, at: at(s) },
  });
  const teardown = (node: string, ip: string, n: number, containerId: string, s: number): LedgerEvent => ({
    type: 'PodTeardownConfirmed',
    data: { node, ip, pod: pod(n, node), containerId, at: at(s) },
  });
  const released = (node: string, ip: string, n: number, containerId: string, s: number): LedgerEvent => ({
    type: 'IpReleased',
    data: {
      node,
      ip,
      eniId: node === 'n1' ? 'eni-1' : 'eni-2',
      pod: pod(n, node),
      containerId,
      reason: `r${s}`,
      cooldownUntil: at(s + 60),
      at: at(s),
    },
  });
  return [
    ended('n1', '10.1.0.11', 40),
    allocated('n1', '10.1.0.11', 5, 'c5', 40), // same row as the cooldown's end: folded
    allocated('n1', '10.1.0.10', 6, 'c6', 41),
    {
      type: 'IpReleaseRequested',
      data: { node: 'n1', ip: '10.1.0.12', pod: pod(2, 'n1'), containerId: 'c2b', reason: 'evicted', at: at(42) },
    },
    teardown('n1', '10.1.0.12', 2, 'c2b', 43),
    released('n1', '10.1.0.12', 2, 'c2b', 43), // three events, one patch
    ended('n1', '10.1.0.12', 44),
    allocated('n1', '10.1.0.12', 7, 'c7', 44), // the address was patched in this wave: a new one
    allocated('n1', '10.1.0.11', 5, 'c5b', 45), // a new container of pod 5 takes its address over
    teardown('n1', '10.1.0.12', 7, 'c7', 46),
    teardown('n2', '10.1.0.22', 2, 'c2b', 46),
    { type: 'IpsUnassignRequested', data: { node: 'n2', eniId: 'eni-2', ips: ['10.1.0.21'], at: at(47) } },
    released('n2', '10.1.0.22', 2, 'c2b', 47),
    ended('n2', '10.1.0.22', 48),
    allocated('n2', '10.1.0.22', 8, 'c8', 48),
    released('n1', '10.1.0.10', 6, 'c6', 49),
    teardown('n1', '10.1.0.10', 6, 'c6', 49), // after the release: matches no active row
    allocated('n1', '10.1.0.10', 6, 'c6', 50), // the same container again, once released
  ];
}

const recorded = (events: LedgerEvent[]): RecordedEvent[] =>
  events.map((e, i) => ({
    ...e,
    id: randomUUID(),
    position: String(1_000_000 + i),
    streamId: nodeStream((e.data as { node: string }).node),
    streamVersion: 1_000 + i,
    metadata: meta,
    recordedAt: new Date(),
  }));

/** What the tables look like after `write` inside a transaction that is then rolled back. */
async function tablesAfter(write: (em: EntityManager) => Promise<void>): Promise<Record<string, unknown[]>> {
  const qr = ds.createQueryRunner();
  await qr.startTransaction();
  try {
    await write(qr.manager);
    return await dumpTables(qr.manager);
  } finally {
    await qr.rollbackTransaction();
    await qr.release();
  }
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

  it('write the same tables in batch form as event by event', async () => {
    const events = recorded(hotSequence());
    const projection = new AddressesProjection();
    const oneByOne = await tablesAfter(async (em) => {
      for (const event of events) {
        await projection.apply(em, event);
      }
    });
    const batched = await tablesAfter((em) => projection.applyBatch(em, events));
    expect(batched).toEqual(oneByOne);
    // The sequence did change the tables: released, replaced and re-allocated rows are all there.
    const before = await dumpTables();
    expect(batched.allocations.length).toBeGreaterThan(before.allocations.length + 4);
    expect(batched.ips).not.toEqual(before.ips);
  });

  it('refuse in batch form what they refuse event by event', async () => {
    const [stolen] = recorded([
      {
        type: 'IpAllocated',
        data: {
          node: 'n1',
          ip: '10.1.0.12',
          eniId: 'eni-1',
          pod: pod(9),
          containerId: 'c9',
          owner: null,
          idempotencyKey: 'k9',
          at: at(20),
        },
      },
    ]);
    const [fine] = recorded([{ type: 'IpCooldownEnded', data: { node: 'n1', ip: '10.1.0.11', at: at(20) } }]);
    const projection = new AddressesProjection();
    await expect(tablesAfter((em) => projection.apply(em, stolen))).rejects.toThrow(/allocations_active_ip_key/);
    await expect(tablesAfter((em) => projection.applyBatch(em, [fine, stolen]))).rejects.toThrow(
      /allocations_active_ip_key/,
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
