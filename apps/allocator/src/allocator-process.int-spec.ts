// The built allocator (`node dist/apps/allocator/src/main.js`, `npm run build` first) as real processes
// through the gRPC API, sharing one database, one nats-server and one ecs-sim: two processes never hand out
// one address twice; a process killed with SIGKILL during load loses no acknowledged allocation and leaves
// no address allocated twice once it runs again; every event reaches JetStream exactly once, in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CloudApiName, DEFAULT_RATE_LIMITS } from '@ipledger/cloud';
import { type Allocation, type AllocatorClient, createAllocatorClient } from '@ipledger/proto';
import { type NatsServer, type TestDatabase, createTestDatabase, startNatsServer, waitUntil } from '@ipledger/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEcsSim, startEcsSim } from '../../ecs-sim/src/index.js';
import { type AllocatorChild, startAllocatorChild } from './testing/allocator-process.js';
import { TEST_ENI_CONFIG, TEST_VSWITCHES, ZONE } from './testing/core-harness.js';
import { ipInCidr } from './testing/pool-math.js';

const TYPE = 'ecs.g7.xlarge';
const NODES = 4;

let db: TestDatabase;
let nats: NatsServer;
let sim: RunningEcsSim;
let logDir: string;
let sql: pg.Client;
const processes: AllocatorChild[] = [];
const clients: AllocatorClient[] = [];

async function startAllocator(name: string): Promise<{ proc: AllocatorChild; client: AllocatorClient }> {
  const proc = await startAllocatorChild({
    databaseUrl: db.url,
    natsUrl: nats.url,
    ecsEndpoint: sim.endpoint,
    eniConfig: TEST_ENI_CONFIG,
    logFile: join(logDir, `${name}.log`),
    env: { IPLEDGER_REPLICA_ID: name, IPLEDGER_ALLOCATE_WAIT_MS: '20000' },
  });
  processes.push(proc);
  const client = createAllocatorClient(proc.address, { defaultTimeoutMs: 30_000 });
  clients.push(client);
  return { proc, client };
}

const podRequest = (node: string, i: number) => ({
  node,
  pod: { namespace: 'load', name: `${node}-pod-${i}`, uid: `${node}-uid-${i}` },
  container_id: `c-${i}`,
});

async function activeAllocations(): Promise<{ ip: string; pod_uid: string; eni_id: string }[]> {
  const { rows } = await sql.query<{ ip: string; pod_uid: string; eni_id: string }>(
    `SELECT host(ip) AS ip, pod_uid, eni_id FROM allocations WHERE released_at IS NULL`,
  );
  return rows;
}

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'ipl-allocator-process-'));
  db = await createTestDatabase('allocator-process');
  nats = await startNatsServer();
  sim = await startEcsSim({ vswitches: TEST_VSWITCHES });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});

afterAll(async () => {
  for (const client of clients) {
    client.close();
  }
  for (const proc of processes) {
    await proc.stop().catch(() => undefined);
  }
  await sql?.end();
  await sim?.close();
  await nats?.stop();
  await db?.drop();
  if (logDir) {
    rmSync(logDir, { recursive: true, force: true });
  }
});

describe('allocator processes', () => {
  const nodes: string[] = [];
  const acknowledged = new Map<string, Allocation>();

  it('two processes on one database never hand out one address twice', async () => {
    const a = await startAllocator('replica-a');
    const b = await startAllocator('replica-b');
    for (let i = 0; i < NODES; i++) {
      const instance = await sim.admin.createInstance({ instanceType: TYPE, vswitchId: 'vsw-itnodes' });
      const node = `proc-node-${i}`;
      const registrar = i % 2 === 0 ? a.client : b.client;
      await registrar.registerNode({
        node,
        instance_id: instance.instanceId,
        instance_type: TYPE,
        zone: ZONE,
        mode: 'eniip',
      });
      nodes.push(node);
    }
    // Every node gets pods through both processes at the same time.
    const calls = nodes.flatMap((node) =>
      Array.from({ length: 20 }, (_, i) => {
        const client = i % 2 === 0 ? a.client : b.client;
        return client.allocateIp(podRequest(node, i)).then((allocation) => {
          acknowledged.set(allocation.pod.uid, allocation);
          return allocation;
        });
      }),
    );
    const results = await Promise.all(calls);
    expect(new Set(results.map((r) => r.ip)).size).toBe(results.length);
    for (const r of results) {
      expect(ipInCidr(r.ip, r.vswitch_cidr)).toBe(true);
      expect(sim.admin.getEni(r.eni.id)?.privateIps).toContain(r.ip);
    }
    const active = await activeAllocations();
    expect(active).toHaveLength(results.length);
    expect(new Set(active.map((r) => r.ip)).size).toBe(active.length);

    // Each process reads what the other wrote.
    const fromB = await b.client.getAllocation({ ip: results[0].ip });
    expect(fromB.pod?.uid).toBe(results[0].pod?.uid);

    // Both took their cloud tokens from the buckets they share in Postgres, sized by the eni-config.
    const { rows: buckets } = await sql.query<{ api: string; per_minute: number }>(
      `SELECT api, per_minute FROM cloud_rate_buckets`,
    );
    expect(buckets.map((b) => b.api)).toEqual(
      expect.arrayContaining(['CreateNetworkInterface', 'AttachNetworkInterface']),
    );
    for (const { api, per_minute } of buckets) {
      expect(per_minute).toBe(DEFAULT_RATE_LIMITS[api as CloudApiName]);
    }
  });

  it('loses no acknowledged allocation to kill -9 and hands out nothing twice after the restart', async () => {
    const victim = processes[0];
    const client = clients[0];
    const load = nodes.flatMap((node) => Array.from({ length: 20 }, (_, i) => podRequest(node, 20 + i)));
    let unanswered = 0;
    const inFlight = load.map((request, i) =>
      new Promise((r) => setTimeout(r, i * 2))
        .then(() => client.allocateIp(request))
        .then((allocation) => acknowledged.set(allocation.pod.uid, allocation))
        .catch(() => (unanswered += 1)),
    );
    await waitUntil(() => acknowledged.size >= NODES * 20 + 15, { message: 'load under way', timeoutMs: 30_000 });
    await victim.kill();
    await Promise.all(inFlight);
    // The kill did land in the middle of the load.
    expect(unanswered).toBeGreaterThan(0);

    const restarted = await startAllocator('replica-a-again');
    // Every pod that was told its address still holds it, through the new process as in the database.
    for (const allocation of acknowledged.values()) {
      const now = await restarted.client.getAllocation({ pod: allocation.pod });
      expect(now.ip).toBe(allocation.ip);
    }
    // The pods the crash left without an answer ask again and get one; nothing is handed out twice.
    const retried = await Promise.all(load.map((request) => restarted.client.allocateIp(request)));
    for (const allocation of retried) {
      const before = acknowledged.get(allocation.pod.uid);
      if (before) {
        expect(allocation.ip).toBe(before.ip);
      }
    }
    const active = await activeAllocations();
    expect(active).toHaveLength(NODES * 40);
    expect(new Set(active.map((r) => r.ip)).size).toBe(active.length);
    for (const row of active) {
      expect(sim.admin.getEni(row.eni_id)?.privateIps).toContain(row.ip);
    }
    // ENI creations the crash interrupted were finished with their client tokens: the cloud holds exactly
    // the ENIs the ledger knows, none leaked.
    const { rows: ledgerEnis } = await sql.query<{ id: string }>(`SELECT id FROM enis ORDER BY id`);
    const cloudEnis = sim.admin
      .state()
      .enis.filter((e) => e.tags['ipledger.io/cluster'] === TEST_ENI_CONFIG.cluster_id)
      .map((e) => e.eniId)
      .sort();
    expect(cloudEnis).toEqual(ledgerEnis.map((r) => r.id));
  });

  it('publishes every event to JetStream exactly once, in order per stream', async () => {
    const { rows } = await sql.query<{ id: string; stream_id: string; stream_version: number }>(
      `SELECT id, stream_id, stream_version FROM events ORDER BY position`,
    );
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const stored = await waitUntil(
        async () => {
          const info = await jsm.streams.info('IPLEDGER');
          return info.state.messages >= rows.length ? info : undefined;
        },
        { message: 'all events published', timeoutMs: 30_000 },
      );
      expect(stored.state.messages).toBe(rows.length);
      const seen = new Map<string, number>();
      const lastVersion = new Map<string, number>();
      const outOfOrder: string[] = [];
      for (let seq = stored.state.first_seq; seq <= stored.state.last_seq; seq++) {
        const msg = await jsm.streams.getMessage('IPLEDGER', { seq });
        const id = msg!.header.get('Nats-Msg-Id');
        seen.set(id, (seen.get(id) ?? 0) + 1);
        const event = rows.find((r) => r.id === id);
        if (event) {
          if (event.stream_version <= (lastVersion.get(event.stream_id) ?? 0)) {
            outOfOrder.push(`${event.stream_id}@${event.stream_version}`);
          }
          lastVersion.set(event.stream_id, event.stream_version);
        }
      }
      expect(rows.filter((r) => seen.get(r.id) !== 1)).toEqual([]);
      expect(outOfOrder).toEqual([]);
    } finally {
      await nc.close();
    }
  });
});
