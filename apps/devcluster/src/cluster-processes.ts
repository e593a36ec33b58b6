// The long-running processes of a local cluster, built from dist/: the allocator and one agent per node, each
// with its environment and a log file under the cluster's work directory.
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { checkHealth } from '@ipledger/proto';
import { type BuiltApps, type ClusterDirs } from './cluster-layout.js';
import { type ClusterNode } from './cluster-types.js';
import { ManagedProcess } from './managed-process.js';
import { waitUntil } from './wait.js';

export function allocatorProcessFor(apps: BuiltApps, dirs: ClusterDirs, env: Record<string, string>): ManagedProcess {
  return new ManagedProcess(
    'allocator',
    { file: process.execPath, args: ['--enable-source-maps', apps.allocatorMain], env: { ...process.env, ...env } },
    join(dirs.logs, 'allocator.log'),
  );
}

/** The agent of a node, in the root namespace (it reaches 127.0.0.1) acting on the node's namespace. */
export function agentProcess(
  apps: BuiltApps,
  dirs: ClusterDirs,
  node: Omit<ClusterNode, 'agent'>,
  env: Record<string, string>,
): ManagedProcess {
  return new ManagedProcess(
    `agent-${node.name}`,
    {
      file: process.execPath,
      args: ['--enable-source-maps', apps.agentMain],
      env: {
        ...process.env,
        IPLEDGER_NODE_NAME: node.name,
        IPLEDGER_INSTANCE_ID: node.instanceId,
        IPLEDGER_INSTANCE_TYPE: node.instanceType,
        IPLEDGER_ZONE: node.zone,
        IPLEDGER_MODE: node.mode,
        IPLEDGER_CNI_SOCKET: node.socket,
        IPLEDGER_HOST_NETNS: node.netns,
        IPLEDGER_STATE_DIR: node.stateDir,
        ...env,
      },
    },
    join(dirs.logs, `agent-${node.name}.log`),
  );
}

/** `credentials`: the client side of the allocator's mutual TLS, when it requires it. */
export async function startAndAwaitAllocator(
  allocator: ManagedProcess,
  address: string,
  credentials?: grpc.ChannelCredentials,
): Promise<void> {
  allocator.start();
  await waitUntil('the allocator serves gRPC', 60_000, async () => {
    if (!allocator.running) {
      throw new Error(`allocator exited:\n${tail(allocator.log())}`);
    }
    return (await checkHealth(address, { timeoutMs: 1000, credentials }).catch(() => 'DOWN')) === 'SERVING';
  });
}

export const tail = (text: string, lines = 40): string => text.split('\n').slice(-lines).join('\n');
