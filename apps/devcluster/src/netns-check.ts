// Whether this machine can run the dev cluster on real network namespaces, and the namespaces it owns. All
// its namespaces start with DEV_NETNS_PREFIX, so that those a crashed run left behind can be found and
// deleted (at the next start, or on a forced exit) without touching anyone else's.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const DEV_NETNS_PREFIX = 'ipl-dev';

const DIST = resolve(import.meta.dirname, '../../..');
const NEEDED = ['apps/node-agent/src/main.js', 'cni/ipledger-cni', 'apps/devcluster/src/local-cluster.js'];

/** Null when namespaces work here; otherwise why not, in a few words. */
export function netnsProblem(): string | null {
  if (process.getuid?.() !== 0) {
    return 'not running as root';
  }
  const missing = NEEDED.filter((path) => !existsSync(resolve(DIST, path)));
  if (missing.length > 0) {
    return `not built: ${missing.join(', ')}`;
  }
  const probe = `${DEV_NETNS_PREFIX}-check-${process.pid}`;
  const added = ip(['netns', 'add', probe]);
  if (added.status !== 0) {
    return `ip netns add failed: ${added.stderr.trim() || added.error?.message || 'unknown error'}`;
  }
  ip(['netns', 'del', probe]);
  return null;
}

/** Deletes every namespace of ours (synchronous: also usable on a forced exit); returns their names. */
export function deleteDevNamespaces(): string[] {
  const listed = ip(['netns', 'list']);
  if (listed.status !== 0) {
    return [];
  }
  const ours = listed.stdout
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter((name) => name.startsWith(`${DEV_NETNS_PREFIX}-`));
  for (const name of ours) {
    ip(['netns', 'del', name]);
  }
  return ours;
}

function ip(args: string[]) {
  return spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
}
