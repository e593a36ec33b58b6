// The allocator as the benchmarks (and the CLI's integration test) meet it: the built app in its own process,
// configured through its environment on free ports, ready once its gRPC health service says SERVING. The
// process itself is the dev cluster's AllocatorProcess.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@ipledger/testing';
import { AllocatorProcess } from '../../apps/devcluster/src/allocator-process.js';
import { repoRoot } from '../../apps/devcluster/src/cluster-layout.js';

export { AllocatorProcess };

export const REPO_ROOT = repoRoot(import.meta.dirname);

/** The built apps: IPLEDGER_DIST_DIR (which the LocalCluster honours too), else <repo>/dist. */
export function distDir(): string {
  return process.env.IPLEDGER_DIST_DIR ?? join(REPO_ROOT, 'dist');
}

export function allocatorMain(): string {
  return join(distDir(), 'apps/allocator/src/main.js');
}

export interface AllocatorProcessOptions {
  databaseUrl: string;
  natsUrl: string;
  ecsEndpoint: string;
  /** The eni_conf JSON object. */
  eniConfig: Record<string, unknown>;
  /** Where its stdout/stderr go. */
  logFile: string;
}

/** Why the allocator cannot be benchmarked yet, or null when its build is there. */
export function allocatorMissing(): string | null {
  const main = allocatorMain();
  return existsSync(main) ? null : `the allocator app is not built (${main} is missing)`;
}

export async function startAllocatorProcess(options: AllocatorProcessOptions): Promise<AllocatorProcess> {
  const address = `127.0.0.1:${await freePort()}`;
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: options.databaseUrl,
    NATS_URL: options.natsUrl,
    IPLEDGER_GRPC_ADDR: address,
    IPLEDGER_METRICS_ADDR: `127.0.0.1:${await freePort()}`,
    ECS_ENDPOINT: options.ecsEndpoint,
    IPLEDGER_ENI_CONFIG: JSON.stringify(options.eniConfig),
  };
  const allocator = AllocatorProcess.start(allocatorMain(), env, address, options.logFile);
  try {
    await allocator.waitUntilServing(60_000);
  } catch (error) {
    await allocator.stop();
    throw error;
  }
  return allocator;
}

export function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
