// The built `ipledger` CLI against a real allocator process: its own Postgres test database, a private
// nats-server and an in-process ecs-sim. A node is registered and pods come and go through the allocator's
// gRPC API, as a node agent would do it; then every read command is run as an operator would run it.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type AllocatorClient, type Allocation, createAllocatorClient } from '@ipledger/proto';
import { createTestDatabase, type NatsServer, startNatsServer, type TestDatabase } from '@ipledger/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEcsSim, startEcsSim } from '../../ecs-sim/src/index.js';
import {
  allocatorMain,
  type AllocatorProcess,
  startAllocatorProcess,
  tail,
} from '../../../bench/support/allocator-process.js';

const CLI = resolve(import.meta.dirname, '../../../dist/apps/ctl/src/main.js');
const NODE = 'ctl-node-1';
const run = promisify(execFile);

interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

let db: TestDatabase;
let nats: NatsServer;
let ecs: RunningEcsSim;
let allocator: AllocatorProcess;
let client: AllocatorClient;
let workDir: string;
let kept: Allocation;
let released: Allocation;

async function cli(...args: string[]): Promise<CliOutcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, '--allocator', allocator.address, ...args], {
      env: { PATH: process.env.PATH },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const pod = (name: string) => ({ namespace: 'shop', name, uid: `uid-${name}` });

beforeAll(async () => {
  for (const built of [CLI, allocatorMain()]) {
    if (!existsSync(built)) {
      throw new Error(`${built} is missing: run npm run build first`);
    }
  }
  workDir = mkdtempSync(join(tmpdir(), 'ipl-ctl-'));
  db = await createTestDatabase('ctl');
  nats = await startNatsServer();
  ecs = await startEcsSim({
    log: () => undefined,
    vswitches: [
      { id: 'vsw-ctlnodes', zoneId: 'cn-hangzhou-h', cidr: '10.0.1.0/24' },
      { id: 'vsw-ctlpods', zoneId: 'cn-hangzhou-h', cidr: '10.0.2.0/24' },
    ],
  });
  await ecs.admin.createInstance({ instanceId: 'i-ctl1', instanceType: 'ecs.g7.large', vswitchId: 'vsw-ctlnodes' });
  const logFile = join(workDir, 'allocator.log');
  try {
    allocator = await startAllocatorProcess({
      databaseUrl: db.url,
      natsUrl: nats.url,
      ecsEndpoint: ecs.endpoint,
      eniConfig: {
        vswitches: { 'cn-hangzhou-h': ['vsw-ctlpods'] },
        security_group: 'sg-ctl',
        cluster_id: 'ctl-test',
        min_pool_size: 2,
        max_pool_size: 5,
        ip_cooldown: '1s',
      },
      logFile,
    });
  } catch (error) {
    throw new Error(`allocator did not start: ${(error as Error).message}\n${tail(logFile, 30)}`, { cause: error });
  }
  client = createAllocatorClient(allocator.address, { defaultTimeoutMs: 30_000 });
  await client.registerNode({
    node: NODE,
    instance_id: 'i-ctl1',
    instance_type: 'ecs.g7.large',
    zone: 'cn-hangzhou-h',
    mode: 'eniip',
  });
  kept = await client.allocateIp({ node: NODE, pod: pod('web-0'), container_id: 'c'.repeat(64) });
  released = await client.allocateIp({ node: NODE, pod: pod('job-1'), container_id: 'd'.repeat(64) });
  await client.releaseIp({ node: NODE, pod: pod('job-1'), container_id: 'd'.repeat(64), reason: 'pod deleted' });
}, 120_000);

afterAll(async () => {
  client?.close();
  await allocator?.stop();
  await ecs?.close();
  await nats?.stop();
  await db?.drop();
  if (workDir) {
    rmSync(workDir, { recursive: true, force: true });
  }
});

describe('ipledger CLI against a running allocator', () => {
  it('lists the node with its pool', async () => {
    const outcome = await cli('nodes');
    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    const [header, row] = outcome.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NODE\s+INSTANCE\s+TYPE\s+ZONE\s+MODE\s+MAX PODS\s+ENIS\s+IDLE\s+ALLOCATED\s+COOLING$/);
    expect(row).toMatch(/^ctl-node-1\s+i-ctl1\s+ecs\.g7\.large\s+cn-hangzhou-h\s+eniip\s+12\s+\d\/3\s+\d+\s+1\s+\d+$/);
  });

  it('shows one node with its ENIs and the pod on each address', async () => {
    const outcome = await cli('node', NODE);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain(`Instance    i-ctl1 (ecs.g7.large, cn-hangzhou-h)`);
    expect(outcome.stdout).toContain(kept.eni.id);
    expect(outcome.stdout).toMatch(
      new RegExp(`^${kept.ip.replaceAll('.', '\\.')}( \\(primary\\))?\\s+${kept.eni.id}\\s+shop/web-0\\s`, 'm'),
    );
  });

  it('lists allocations as a table and as the allocator replied in JSON', async () => {
    const table = await cli('allocations', '--node', NODE);
    expect(table.stdout).toMatch(new RegExp(`^shop/web-0\\s+${NODE}\\s+${kept.ip.replaceAll('.', '\\.')}\\s`, 'm'));
    expect(table.stdout).not.toContain('shop/job-1');
    const json = await cli('allocations', '--json');
    expect(JSON.parse(json.stdout)).toEqual((await client.listAllocations({ node: NODE })).allocations);
  });

  it('shows one allocation by IP and by pod', async () => {
    const byIp = await cli('allocation', '--ip', kept.ip);
    expect(byIp.stdout).toMatch(/^Pod\s+shop\/web-0$/m);
    expect(byIp.stdout).toMatch(new RegExp(`^ENI\\s+${kept.eni.id} \\(MAC ${kept.eni.mac}\\)$`, 'm'));
    const byPod = await cli('allocation', '--pod', 'shop/web-0', '--json');
    expect(JSON.parse(byPod.stdout)).toMatchObject({ ip: kept.ip, pod: pod('web-0') });
  });

  it('tells who held an address and when', async () => {
    const outcome = await cli('history', '--ip', released.ip);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain(`Held ${released.ip}:`);
    expect(outcome.stdout).toMatch(
      /shop\/job-1\s+uid-job-1\s+dddddddddddd\s+ctl-node-1\s+\S+\s+\S+\s+\S+\s+released: pod deleted/,
    );
    expect(outcome.stdout).toMatch(/IpAllocated\s+\S+ allocated to shop\/job-1/);
    expect(outcome.stdout).toMatch(/IpReleased\s+\S+ released by shop\/job-1 \(pod deleted\)/);
  });

  it('reads the history of a pod within time bounds', async () => {
    const recent = await cli('history', '--pod', 'shop/web-0', '--from', '1h');
    expect(recent.stdout).toMatch(/shop\/web-0\s+uid-web-0\s+cccccccccccc\s+ctl-node-1\s+\S+\s+now \(still held\)/);
    const future = await cli('history', '--pod', 'shop/web-0', '--from', '2099-01-01');
    expect(future.stdout).toBe('No recorded events for pod shop/web-0 from 2099-01-01T00:00:00.000Z.\n');
  });

  it('names the gRPC status of a refusal on stderr and exits 1', async () => {
    const outcome = await cli('allocation', '--pod', 'shop/ghost');
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(/^ipledger: GetAllocation failed: NOT_FOUND: .+\n$/);
  });

  it('says UNAVAILABLE when no allocator answers', async () => {
    const { code, stderr } = await run(process.execPath, [
      CLI,
      '--allocator',
      '127.0.0.1:9',
      '--timeout',
      '3s',
      'nodes',
    ])
      .then((r) => ({ code: 0, stderr: r.stderr }))
      .catch((e: { code: number; stderr: string }) => e);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^ipledger: ListNodes failed: UNAVAILABLE: /);
  });

  it('checks an eni-config file without the allocator', async () => {
    const file = join(workDir, 'eni.json');
    writeFileSync(
      file,
      JSON.stringify({ min_pool_size: 3, max_pool_size: 2, cluster_id: 'x', security_group: 'sg-1' }),
    );
    const outcome = await cli('config', 'check', file);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toContain('min_pool_size (3) must not exceed max_pool_size (2)');
  });
});
