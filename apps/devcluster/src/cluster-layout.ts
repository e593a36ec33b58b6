// Where a local cluster keeps its pieces: the built apps it runs (dist/), its work directory (logs, sockets,
// agent state), and the names of its namespaces, all under one unique prefix so that parallel clusters and
// leftovers of a crashed run never collide.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest directory above this file whose package.json is ipledger's. */
export function repoRoot(from = import.meta.dirname): string {
  let dir = resolve(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'ipledger') {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`no ipledger package.json above ${from}`);
    }
    dir = parent;
  }
}

export interface BuiltApps {
  allocatorMain: string;
  agentMain: string;
  cniBin: string;
  probe: string;
}

/** The built entry points under `distDir` (default: IPLEDGER_DIST_DIR, else <repo>/dist); `npm run build` first. */
export function builtApps(distDir?: string): BuiltApps {
  const dist: string = distDir ?? process.env.IPLEDGER_DIST_DIR ?? join(repoRoot(), 'dist');
  const apps: BuiltApps = {
    allocatorMain: join(dist, 'apps/allocator/src/main.js'),
    agentMain: join(dist, 'apps/node-agent/src/main.js'),
    cniBin: join(dist, 'cni/ipledger-cni'),
    probe: join(dist, 'apps/devcluster/src/net-probe.js'),
  };
  const missing = [apps.allocatorMain, apps.agentMain, apps.cniBin, apps.probe].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(`local cluster: built files missing (run npm run build): ${missing.join(', ')}`);
  }
  return apps;
}

export interface ClusterDirs {
  root: string;
  logs: string;
  nodeDir(node: string): string;
}

export function clusterDirs(workDir?: string): ClusterDirs {
  // Short: unix socket paths live in here and may hold only 107 bytes.
  const root = workDir ?? mkdtempSync(join(tmpdir(), 'iplc-'));
  const logs = join(root, 'logs');
  mkdirSync(logs, { recursive: true });
  return {
    root,
    logs,
    nodeDir: (node) => {
      const dir = join(root, node);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
  };
}

/** `ipl-<6 hex>`: every namespace of the cluster starts with it. */
export const newClusterPrefix = (): string => `ipl-${randomBytes(3).toString('hex')}`;
