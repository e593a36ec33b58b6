// `npm start -- --once --no-netns` as CI would run it: the built entry point against its own test database
// and a private nats-server. Every pod must get an address, the run must exit 0, and nothing it started may
// outlive it.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkHealth } from '@ipledger/proto';
import { createTestDatabase, type NatsServer, startNatsServer, type TestDatabase } from '@ipledger/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = resolve(import.meta.dirname, '../../../dist/apps/devcluster/src/main.js');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

let db: TestDatabase;
let nats: NatsServer;
let workDir: string;
let outcome: Outcome;

function runDevcluster(args: string[], env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [MAIN, ...args], { env, timeout: 150_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Processes whose environment names this test's database: whatever the dev cluster started. */
function processesUsing(databaseUrl: string): number[] {
  const marker = `DATABASE_URL=${databaseUrl}`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

beforeAll(async () => {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: run npm run build first`);
  }
  workDir = mkdtempSync(join(tmpdir(), 'ipl-devcluster-'));
  db = await createTestDatabase('devcluster');
  nats = await startNatsServer();
  outcome = await runDevcluster(['--once', '--no-netns', '--nodes', '2', '--pods', '6'], {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: db.url,
    NATS_URL: nats.url,
    IPLEDGER_DEV_DIR: workDir,
  });
}, 180_000);

afterAll(async () => {
  await nats?.stop();
  await db?.drop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('npm start -- --once --no-netns', () => {
  it('exits 0 after the summary', () => {
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toContain('allocator-only simulation');
    expect(outcome.code).toBe(0);
  });

  it('registers every node through the allocator', () => {
    expect(outcome.stdout).toMatch(
      /registered node dev-node-1 \(ecs\.g7\.xlarge, cn-hangzhou-h, eniip\): max \d+ pods/,
    );
    expect(outcome.stdout).toMatch(/registered node dev-node-2 \(ecs\.g7\.large, cn-hangzhou-h, eniip\): max \d+ pods/);
  });

  it('gives every pod an address and keeps the target running', () => {
    const tally = /Pods: (\d+) started, (\d+) got an address, (\d+) failed, (\d+) released, (\d+) running/.exec(
      outcome.stdout,
    );
    expect(tally).not.toBeNull();
    const [started, addressed, failed, released, running] = tally!.slice(1).map(Number);
    expect(addressed).toBe(started);
    expect(failed).toBe(0);
    expect(released).toBeGreaterThan(0);
    expect(running).toBe(6);
    expect(
      outcome.stdout.match(/^\d\d:\d\d:\d\d {2}pod default\/\S+ → 10\.0\.1\.\d+ on dev-node-\d \(eni-/gm),
    ).toHaveLength(started);
  });

  it('shows the ENIs the allocator created through ecs-sim and the calls it made', () => {
    expect(outcome.stdout).toMatch(/created ENI eni-\w+ in vsw-devhpods/);
    expect(outcome.stdout).toMatch(/^CreateNetworkInterface\s+[1-9]\d*\s+[1-9]/m);
    expect(outcome.stdout).toMatch(/AllocateIp round trip: p50 [\d.]+ ms, p99 [\d.]+ ms/);
  });

  it('tells who held a released address', () => {
    const ip = /History of (10\.0\.1\.\d+)/.exec(outcome.stdout)?.[1] ?? 'none';
    expect(ip).not.toBe('none');
    const history = outcome.stdout.slice(outcome.stdout.indexOf(`History of ${ip}`));
    expect(history).toMatch(new RegExp(`IpAllocated\\s+pod default/\\S+ → ${ip.replaceAll('.', '\\.')}`));
    expect(history).toMatch(/IpReleased\s+pod default\/\S+ gave back/);
  });

  it('leaves nothing running: no child process, no allocator answering', async () => {
    expect(outcome.stdout).toContain('stopped; nothing left running');
    expect(processesUsing(db.url)).toEqual([]);
    const address = /allocator serving gRPC on (127\.0\.0\.1:\d+)/.exec(outcome.stdout)?.[1];
    expect(address).toBeDefined();
    await expect(checkHealth(address!, { timeoutMs: 1_000 })).rejects.toThrow();
  });
});
