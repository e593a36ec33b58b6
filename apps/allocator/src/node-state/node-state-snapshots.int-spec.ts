import {
  type InstanceLimits,
  NODE_SNAPSHOT_FORMAT,
  type NodeCommand,
  type NodeState,
  addSeconds,
  decideNode,
  nodeStream,
  serializeNodeState,
} from '@ipledger/domain';
import {
  type EventStore,
  PostgresEventStore,
  PostgresSnapshotStore,
  type RecordedEvent,
  createDataSource,
} from '@ipledger/event-store';
import { type TestDatabase, createTestDatabase } from '@ipledger/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECTION_ENTITIES, createProjections } from '../projections/index.js';
import { NodeStateCache, type NodeSnapshotOptions } from './node-state.cache.js';

// Snapshots on real Postgres: a node driven past several snapshot points, then fresh caches (a restarted
// replica) load it from its snapshot plus the tail, or, when the snapshot is unusable, from the whole stream.

const EVERY = 10;
const NODE = 'snap-node';
const T0 = '2026-03-01T00:00:00.000Z';
const LIMITS: InstanceLimits = {
  adapters: 3,
  ipv4PerAdapter: 10,
  ipv6PerAdapter: 10,
  totalAdapters: 3,
  memberAdapters: 0,
  trunkSupported: false,
};
const VSWITCH = { id: 'vsw-snap', zone: 'z1', cidr: '10.9.0.0/16', gateway: '10.9.255.253' };
const POD_IPS = Array.from({ length: 8 }, (_, i) => `10.9.1.${i + 11}`);

/** Our own EventStore port, counting what each readStream asked for and got. */
class CountingStore implements Pick<EventStore, 'append' | 'readStream' | 'streamVersion'> {
  readonly reads: { streamId: string; fromVersion: number | undefined; events: number }[] = [];
  constructor(private readonly inner: EventStore) {}
  append: EventStore['append'] = (...args) => this.inner.append(...args);
  streamVersion: EventStore['streamVersion'] = (streamId) => this.inner.streamVersion(streamId);
  async readStream(streamId: string, fromVersion?: number): Promise<RecordedEvent[]> {
    const events = await this.inner.readStream(streamId, fromVersion);
    this.reads.push({ streamId, fromVersion, events: events.length });
    return events;
  }
}

let db: TestDatabase;
let ds: DataSource;
let store: PostgresEventStore;
let snapshotStore: PostgresSnapshotStore;
let clock = 0;
const now = () => addSeconds(T0, ++clock);

function cacheOn(events: Pick<EventStore, 'append' | 'readStream' | 'streamVersion'>, snapshots?: NodeSnapshotOptions) {
  return new NodeStateCache(events as EventStore, { actor: 'allocator/snapshot-test', snapshots });
}

function snapshotsWith(warnings: string[], every = EVERY): NodeSnapshotOptions {
  return { store: snapshotStore, every, log: { warn: (m) => warnings.push(m) } };
}

/** Runs one command and waits for the snapshot it may have started, so the test knows where snapshots fall. */
async function run(cache: NodeStateCache, command: NodeCommand): Promise<void> {
  await cache.execute(NODE, () => command);
  await cache.snapshotsSettled();
}

async function storedSnapshot(): Promise<{ version: number; format: number } | undefined> {
  const rows = await ds.query<{ version: number; format: number }[]>(
    `SELECT version, format FROM stream_snapshots WHERE stream_id = $1`,
    [nodeStream(NODE)],
  );
  return rows[0];
}

/** The state a cache without snapshots builds: the whole stream folded. */
async function fullFold(): Promise<{ state: NodeState; version: number }> {
  return cacheOn(store).get(NODE);
}

/** Same state, and the same iteration order of every Map and record (the deciders walk them in order). */
function expectSameState(actual: NodeState, expected: NodeState): void {
  expect(actual).toEqual(expected);
  expect([...actual.ips.keys()]).toEqual([...expected.ips.keys()]);
  expect([...actual.pods.keys()]).toEqual([...expected.pods.keys()]);
  expect(Object.keys(actual.enis)).toEqual(Object.keys(expected.enis));
  const probe: NodeCommand = {
    type: 'AllocateIp',
    pod: { namespace: 'default', name: 'probe', uid: 'uid-probe' },
    ...{ containerId: 'c-probe', owner: null, idempotencyKey: 'probe', now: addSeconds(T0, 10_000) },
  };
  expect(decideNode(probe, actual)).toEqual(decideNode(probe, expected));
}

beforeAll(async () => {
  db = await createTestDatabase('node-snapshots');
  ds = createDataSource({ url: db.url, entities: PROJECTION_ENTITIES, poolSize: 5 });
  await ds.initialize();
  store = new PostgresEventStore(ds, createProjections(), { notify: false });
  snapshotStore = new PostgresSnapshotStore(ds);

  const warnings: string[] = [];
  const cache = cacheOn(store, snapshotsWith(warnings));
  await run(cache, {
    type: 'RegisterNode',
    ...{ node: NODE, instanceId: 'i-snap', instanceType: 'ecs.g7.large', zone: 'z1', mode: 'eniip' },
    ...{ limits: LIMITS, now: now() },
  });
  const eni = { eniId: 'eni-snap', clientToken: 'token-snap' };
  await run(cache, {
    type: 'RequestEniCreate',
    ...{ clientToken: eni.clientToken, vswitch: VSWITCH, securityGroupIds: ['sg-1'], now: now() },
  });
  await run(cache, {
    type: 'RecordEniCreated',
    ...{ ...eni, mac: '02:00:00:00:09:01', vswitch: VSWITCH, primaryIp: '10.9.1.10', securityGroupIds: ['sg-1'] },
    ...{ trunk: false, now: now() },
  });
  await run(cache, { type: 'RequestEniAttach', eniId: eni.eniId, now: now() });
  await run(cache, {
    type: 'RecordEniAttached',
    eniId: eni.eniId,
    mac: '02:00:00:00:09:01',
    deviceIndex: 1,
    now: now(),
  });
  await run(cache, { type: 'RecordIpsAssigned', eniId: eni.eniId, ips: POD_IPS, now: now() });
  // Pods come and go: each one takes an address, gives it back, and its cooldown ends.
  for (let n = 0; n < 12; n++) {
    const pod = { namespace: 'default', name: `pod-${n}`, uid: `uid-${n}` };
    const containerId = `c-${n}`;
    await run(cache, { type: 'AllocateIp', pod, containerId, owner: null, idempotencyKey: `k-${n}`, now: now() });
    if (n % 3 !== 2) {
      await run(cache, {
        type: 'ReleaseIp',
        podUid: pod.uid,
        containerId,
        reason: 'gone',
        cooldownSeconds: 1,
        now: now(),
      });
      clock += 2;
      await run(cache, { type: 'EndCooldowns', now: now() });
    }
  }
  // Leave at least one event after the last snapshot, so a load has a tail to read.
  const { version } = await cache.get(NODE);
  if ((await storedSnapshot())?.version === version) {
    const pod = { namespace: 'default', name: 'pod-last', uid: 'uid-last' };
    await run(cache, { type: 'AllocateIp', pod, containerId: 'c', owner: null, idempotencyKey: 'k-last', now: now() });
  }
  expect(warnings).toEqual([]);
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

describe('NodeStateCache snapshots (Postgres)', () => {
  it('saved the newest snapshot, fewer than EVERY events behind the stream', async () => {
    const full = await fullFold();
    const saved = await storedSnapshot();
    expect(full.version).toBeGreaterThan(3 * EVERY);
    expect(saved?.format).toBe(NODE_SNAPSHOT_FORMAT);
    expect(saved?.version).toBeGreaterThanOrEqual(full.version - EVERY + 1);
    expect(saved?.version).toBeLessThan(full.version);
  });

  it('a fresh cache loads the snapshot, reads only the events after it and decides as a full fold would', async () => {
    const full = await fullFold();
    const saved = await storedSnapshot();
    const counting = new CountingStore(store);
    const warnings: string[] = [];
    const fresh = cacheOn(counting, snapshotsWith(warnings));

    const loaded = await fresh.get(NODE);
    expect(counting.reads).toEqual([
      {
        streamId: nodeStream(NODE),
        fromVersion: (saved?.version ?? 0) + 1,
        events: full.version - (saved?.version ?? 0),
      },
    ]);
    expect(loaded.version).toBe(full.version);
    expectSameState(loaded.state, full.state);
    expect(warnings).toEqual([]);

    // And it writes on from there: its append carries the right expected version.
    const pod = { namespace: 'default', name: 'pod-fresh', uid: 'uid-fresh' };
    const done = await fresh.execute(NODE, () => ({
      type: 'AllocateIp',
      ...{ pod, containerId: 'c', owner: null, idempotencyKey: 'k-fresh', now: now() },
    }));
    expect(done.version).toBe(full.version + 1);
    await fresh.snapshotsSettled();
    expectSameState((await fullFold()).state, done.state);
  });

  const unusable: [string, string][] = [
    ['a corrupt snapshot', `UPDATE stream_snapshots SET state = '{"ips": 5}'`],
    ['a snapshot of another format', `UPDATE stream_snapshots SET format = ${NODE_SNAPSHOT_FORMAT - 1}`],
    ['a snapshot ahead of its stream', `UPDATE stream_snapshots SET version = version + 1000`],
  ];
  for (const [label, spoil] of unusable) {
    it(`${label} is passed over with one warning: the whole stream is folded`, async () => {
      const full = await fullFold();
      await ds.query(`DELETE FROM stream_snapshots`);
      const good = { streamId: nodeStream(NODE), version: full.version, format: NODE_SNAPSHOT_FORMAT };
      await snapshotStore.save({ ...good, state: serializeNodeState(full.state) });
      await ds.query(spoil);
      {
        const counting = new CountingStore(store);
        const warnings: string[] = [];
        const loaded = await cacheOn(counting, snapshotsWith(warnings, 1_000_000)).get(NODE);
        expect(counting.reads.at(-1)).toEqual({
          streamId: nodeStream(NODE),
          fromVersion: undefined,
          events: full.version,
        });
        expect(loaded.version).toBe(full.version);
        expectSameState(loaded.state, full.state);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/node snap-node: snapshot not used/);
      }
    });
  }

  it('deleted snapshots cost only a full fold, after which a new one is saved', async () => {
    await ds.query(`DELETE FROM stream_snapshots`);
    const full = await fullFold();
    const counting = new CountingStore(store);
    const warnings: string[] = [];
    const fresh = cacheOn(counting, snapshotsWith(warnings));
    expectSameState((await fresh.get(NODE)).state, full.state);
    expect(counting.reads).toEqual([{ streamId: nodeStream(NODE), fromVersion: undefined, events: full.version }]);
    expect(warnings).toEqual([]);
    // The stream is more than EVERY events past "no snapshot": the load itself starts a save.
    await fresh.snapshotsSettled();
    expect(await storedSnapshot()).toEqual({ version: full.version, format: NODE_SNAPSHOT_FORMAT });
    expect(warnings).toEqual([]);
  });
});
