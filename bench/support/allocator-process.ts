// The allocator as the benchmarks meet it: the built app in its own process (node dist/apps/allocator/src/
// main.js), configured through its environment, ready once its gRPC health service says SERVING.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkHealth } from '@ipledger/proto';
import { freePort } from '@ipledger/testing';
import { waitFor } from './deadline.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const ALLOCATOR_MAIN = join(REPO_ROOT, 'dist/apps/allocator/src/main.js');

export interface AllocatorProcessOptions {
  databaseUrl: string;
  natsUrl: string;
  ecsEndpoint: string;
  /** The eni_conf JSON object. */
  eniConfig: Record<string, unknown>;
  /** Where its stdout/stderr go. */
  logFile: string;
  extraEnv?: Record<string, string>;
}

export interface AllocatorProcess {
  address: string;
  metricsAddress: string;
  pid: number;
  stop(): Promise<void>;
}

/** Why the allocator cannot be benchmarked yet, or null when its build is there. */
export function allocatorMissing(): string | null {
  return existsSync(ALLOCATOR_MAIN) ? null : `the allocator app is not built (${ALLOCATOR_MAIN} is missing)`;
}

export async function startAllocatorProcess(options: AllocatorProcessOptions): Promise<AllocatorProcess> {
  const [grpcPort, metricsPort] = [await freePort(), await freePort()];
  const address = `127.0.0.1:${grpcPort}`;
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(process.execPath, [ALLOCATOR_MAIN], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: options.databaseUrl,
      NATS_URL: options.natsUrl,
      IPLEDGER_GRPC_ADDR: address,
      IPLEDGER_METRICS_ADDR: `127.0.0.1:${metricsPort}`,
      ECS_ENDPOINT: options.ecsEndpoint,
      IPLEDGER_ENI_CONFIG: JSON.stringify(options.eniConfig),
      ...options.extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await terminate(child);
    log.end();
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
        }
        return (await checkHealth(address, { timeoutMs: 1_000 }).catch(() => null)) === 'SERVING' ? true : undefined;
      },
      60_000,
      'allocator start',
      100,
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}; last log lines:\n${tail(options.logFile, 15)}`, { cause: error });
  }
  return { address, metricsAddress: `127.0.0.1:${metricsPort}`, pid: child.pid!, stop };
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
