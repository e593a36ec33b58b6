// Integration-test support: the built allocator (`npm run build` first) as a child process, configured
// through its environment, ready once its gRPC health service says SERVING.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkHealth } from '@ipledger/proto';
import { freePort, waitUntil } from '@ipledger/testing';

export const ALLOCATOR_MAIN = resolve(import.meta.dirname, '../../../../dist/apps/allocator/src/main.js');

export interface AllocatorChildOptions {
  databaseUrl: string;
  natsUrl: string;
  ecsEndpoint: string;
  eniConfig: Record<string, unknown>;
  logFile: string;
  env?: Record<string, string>;
  /** Extra flags for node itself, e.g. `--cpu-prof` when profiling. */
  nodeArgs?: string[];
}

export interface AllocatorChild {
  address: string;
  pid: number;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit: no shutdown hook runs. */
  kill(): Promise<void>;
  log(): string;
}

export async function startAllocatorChild(options: AllocatorChildOptions): Promise<AllocatorChild> {
  if (!existsSync(ALLOCATOR_MAIN)) {
    throw new Error(`${ALLOCATOR_MAIN} is missing: run npm run build first`);
  }
  const address = `127.0.0.1:${await freePort()}`;
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ALLOCATOR_MAIN], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: options.databaseUrl,
      NATS_URL: options.natsUrl,
      IPLEDGER_GRPC_ADDR: address,
      IPLEDGER_METRICS_ADDR: 'off',
      ECS_ENDPOINT: options.ecsEndpoint,
      IPLEDGER_ENI_CONFIG: JSON.stringify(options.eniConfig),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // Never outlive the test process.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  void exited.then(() => process.removeListener('exit', orphan));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(name);
    }
    await exited;
  };
  const handle: AllocatorChild = {
    address,
    pid: child.pid ?? 0,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    log: () => readLog(options.logFile),
  };
  try {
    await waitUntil(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`the allocator exited (${child.exitCode ?? child.signalCode})`);
        }
        return (await checkHealth(address, { timeoutMs: 1_000 }).catch(() => null)) === 'SERVING';
      },
      { timeoutMs: 30_000, intervalMs: 100, message: 'allocator SERVING' },
    );
  } catch (error) {
    await handle.kill();
    throw new Error(`${(error as Error).message}\n${handle.log()}`, { cause: error });
  }
  return handle;
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}
