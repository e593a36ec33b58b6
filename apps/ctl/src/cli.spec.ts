// runCli end to end in-process, with a stand-in for our own AllocatorClient port: what reaches stdout and
// stderr, and the exit status, for a success, an allocator refusal, a usage mistake and a config check.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type AllocatorClient, AllocatorRpcError, type NodeView, REASON_METADATA_KEY } from '@ipledger/proto';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const node: NodeView = {
  node: 'node-a',
  instance_id: 'i-1',
  instance_type: 'ecs.g7.large',
  zone: 'cn-hangzhou-h',
  mode: 'eniip',
  limits: {
    adapters: 3,
    ipv4_per_adapter: 6,
    ipv6_per_adapter: 0,
    total_adapters: 3,
    member_adapters: 0,
    trunk_supported: false,
  },
  max_pods: 12,
  enis: [],
  pool: {
    node: 'node-a',
    idle: 4,
    allocated: 2,
    cooling: 1,
    releasing: 0,
    enis: [],
    targets: { min_pool_size: 2, max_pool_size: 5 },
    max_pods: 12,
  },
  registered_at: '2026-11-21T10:00:00Z',
};

function fakeAllocator(overrides: Partial<AllocatorClient>): AllocatorClient {
  const missing = () => Promise.reject(new Error('not used by this test'));
  return {
    registerNode: missing,
    allocateIp: missing,
    releaseIp: missing,
    getAllocation: missing,
    listAllocations: missing,
    describePool: missing,
    listNodes: missing,
    history: () => ({ [Symbol.asyncIterator]: () => ({ next: missing }) }),
    waitForReady: () => Promise.resolve(),
    close: () => undefined,
    ...overrides,
  };
}

async function run(argv: string[], client: AllocatorClient = fakeAllocator({})) {
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv,
    env: {},
    now: () => new Date('2026-11-21T12:00:00Z'),
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readFile: (path) => readFileSync(path),
    connect: () => client,
  });
  return { code, stdout, stderr };
}

describe('runCli', () => {
  it('prints the nodes table, or the reply as JSON', async () => {
    const client = fakeAllocator({ listNodes: () => Promise.resolve({ nodes: [node] }) });
    const table = await run(['nodes'], client);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout.split('\n')[1]).toMatch(
      /^node-a\s+i-1\s+ecs\.g7\.large\s+cn-hangzhou-h\s+eniip\s+12\s+0\/3\s+4\s+2\s+1$/,
    );
    const json = await run(['nodes', '--json'], client);
    expect(JSON.parse(json.stdout)).toEqual([node]);
  });

  it('names the gRPC status and the reason of a refusal in one stderr line, exit 1', async () => {
    const metadata = new grpc.Metadata();
    metadata.set(REASON_METADATA_KEY, 'node-unknown');
    const refusal = new AllocatorRpcError('DescribePool', grpc.status.NOT_FOUND, 'no node ghost', metadata);
    const client = fakeAllocator({
      describePool: () => Promise.reject(refusal),
      listAllocations: () => Promise.resolve({ allocations: [] }),
      listNodes: () => Promise.resolve({ nodes: [] }),
    });
    const outcome = await run(['node', 'ghost'], client);
    expect(outcome).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ipledger: DescribePool failed: NOT_FOUND: no node ghost (reason: node-unknown)\n',
    });
  });

  it('exits 2 on a usage mistake without contacting the allocator', async () => {
    let connected = false;
    const outcome = await runCli({
      argv: ['allocation', '--pod', 'nope'],
      env: {},
      now: () => new Date(),
      stdout: () => undefined,
      stderr: () => undefined,
      readFile: (path) => readFileSync(path),
      connect: () => {
        connected = true;
        return fakeAllocator({});
      },
    });
    expect({ outcome, connected }).toEqual({ outcome: 2, connected: false });
  });

  it('checks an eni-config file: every problem and exit 1, or the hash and exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipl-ctl-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ max_pool_size: 1, min_pool_size: 3, ip_stack: 'dual' }));
    const invalid = await run(['config', 'check', bad]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain('min_pool_size (3) must not exceed max_pool_size (1)');
    expect(invalid.stdout).toContain('ip_stack: "dual" is not supported yet');
    const good = join(dir, 'good.json');
    const config = {
      max_pool_size: 5,
      min_pool_size: 1,
      vswitches: { 'cn-hangzhou-h': ['vsw-1'] },
      security_group: 'sg-1',
      cluster_id: 'c1',
    };
    writeFileSync(good, JSON.stringify(config));
    const valid = await run(['config', 'check', good]);
    expect(valid).toMatchObject({ code: 0, stderr: '' });
    expect(valid.stdout).toMatch(/valid eni-config \(sha256 [0-9a-f]{64}\)/);
    expect(await run(['config', 'check', join(dir, 'missing.json')])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/cannot read .*missing\.json: ENOENT/),
    });
  });
});
