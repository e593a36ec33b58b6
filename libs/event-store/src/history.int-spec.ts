import { randomUUID } from 'node:crypto';
import { type TestDatabase, createTestDatabase } from '@ipledger/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from './data-source.js';
import type { AppendResult, NewEvent, RecordedEvent } from './event-store.port.js';
import { PostgresEventStore } from './postgres-event-store.js';

const meta = { actor: 'test/history' };
const ev = (type: string, data: Record<string, unknown>): NewEvent => ({ id: randomUUID(), type, data });
const pod = (name: string) => ({ namespace: 'shop', name, uid: `uid-${name}` });
const types = (events: RecordedEvent[]) => events.map((e) => e.type);

let db: TestDatabase;
let ds: DataSource;
let store: PostgresEventStore;
let early: AppendResult;
let late: AppendResult;

beforeAll(async () => {
  db = await createTestDatabase('history');
  ds = createDataSource({ url: db.url, poolSize: 4 });
  await ds.initialize();
  store = new PostgresEventStore(ds, []);
  early = await store.append(
    'node-a',
    0,
    [
      ev('EniCreated', { node: 'a', eniId: 'eni-1', primaryIp: '10.0.0.1' }),
      ev('IpsAssigned', { node: 'a', eniId: 'eni-1', ips: ['10.0.0.10', '10.0.0.11'] }),
      ev('IpAllocated', { node: 'a', eniId: 'eni-1', ip: '10.0.0.10', pod: pod('cart-0') }),
    ],
    meta,
  );
  await store.append('node-b', 0, [ev('IpsAssigned', { node: 'b', eniId: 'eni-2', ips: ['10.0.1.10'] })], meta);
  late = await store.append(
    'node-a',
    3,
    [
      ev('IpReleased', { node: 'a', eniId: 'eni-1', ip: '10.0.0.10', pod: pod('cart-0') }),
      ev('IpAllocated', { node: 'a', eniId: 'eni-1', ip: '10.0.0.10', pod: pod('cart-1') }),
      ev('IpAllocated', { node: 'a', eniId: 'eni-1', ip: '10.0.0.1', pod: pod('web-0') }),
    ],
    meta,
  );
});

afterAll(async () => {
  await store?.settled();
  await ds?.destroy();
  await db?.drop();
});

describe('history', () => {
  it('finds an IP as data.ip, inside data.ips, and as an ENI primary address, in position order', async () => {
    const tenTen = await store.history({ ip: '10.0.0.10' });
    expect(types(tenTen)).toEqual(['IpsAssigned', 'IpAllocated', 'IpReleased', 'IpAllocated']);
    const positions = tenTen.map((e) => BigInt(e.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);

    // 10.0.0.1 is a prefix of 10.0.0.10/11: matching must be exact.
    expect(types(await store.history({ ip: '10.0.0.1' }))).toEqual(['EniCreated', 'IpAllocated']);
    expect(await store.history({ ip: '10.9.9.9' })).toEqual([]);
  });

  it('finds a pod by uid and by namespace and name', async () => {
    expect(types(await store.history({ podUid: 'uid-cart-0' }))).toEqual(['IpAllocated', 'IpReleased']);
    const byName = await store.history({ podNamespace: 'shop', podName: 'cart-1' });
    expect(byName.map((e) => (e.data as { pod: { uid: string } }).pod.uid)).toEqual(['uid-cart-1']);
    expect(await store.history({ podNamespace: 'other', podName: 'cart-1' })).toEqual([]);
  });

  it('finds by node and by ENI, and combines filters', async () => {
    expect(await store.history({ node: 'b' })).toHaveLength(1);
    expect(await store.history({ node: 'a' })).toHaveLength(6);
    expect(types(await store.history({ eniId: 'eni-2' }))).toEqual(['IpsAssigned']);
    expect(await store.history({ node: 'b', ip: '10.0.0.10' })).toEqual([]);
    expect(types(await store.history({ node: 'a', ip: '10.0.0.11' }))).toEqual(['IpsAssigned']);
  });

  it('limits by recording time: from inclusive, to exclusive', async () => {
    const from = late.events[0].recordedAt;
    expect(from.getTime()).toBeGreaterThanOrEqual(early.events[0].recordedAt.getTime());
    const since = await store.history({ node: 'a', from });
    expect(since.map((e) => e.id)).toEqual(late.events.map((e) => e.id));
    const before = await store.history({ node: 'a', to: from });
    expect(before.map((e) => e.id)).toEqual(early.events.map((e) => e.id));
  });

  it('pages with afterPosition and limit', async () => {
    const all = await store.history({ node: 'a' });
    const first = await store.history({ node: 'a', limit: 4 });
    const rest = await store.history({ node: 'a', afterPosition: first.at(-1)!.position });
    expect([...first, ...rest].map((e) => e.id)).toEqual(all.map((e) => e.id));
  });
});
