// How a process gets into a namespace. iproute2's `-n` only understands names under /run/netns; sandboxes
// the runtime names by another path (/proc/<pid>/ns/net) are entered with nsenter instead.
import { basename, dirname } from 'node:path';
import { type NsTarget } from './kernel.port.js';

const NETNS_DIRS = new Set(['/run/netns', '/var/run/netns']);

export interface ResolvedNs {
  /** null: the calling process's own namespace. */
  path: string | null;
  /** Set when iproute2 can address it with `-n`. */
  name: string | null;
}

export function resolveNs(target: NsTarget, hostNetns: string | null): ResolvedNs {
  const ref = target.kind === 'host' ? hostNetns : target.netns;
  if (ref === null) {
    return { path: null, name: null };
  }
  if (!ref.includes('/')) {
    return { path: `/run/netns/${ref}`, name: ref };
  }
  const name = NETNS_DIRS.has(dirname(ref)) ? basename(ref) : null;
  return { path: ref, name };
}

/** argv for running an iproute2 tool (`ip`, `tc`, `bridge`) inside the namespace. */
export function iprouteCommand(tool: string, ns: ResolvedNs, args: readonly string[]): [string, string[]] {
  if (ns.path === null) {
    return [tool, [...args]];
  }
  if (ns.name !== null) {
    return [tool, ['-n', ns.name, ...args]];
  }
  return ['nsenter', [`--net=${ns.path}`, tool, ...args]];
}

/** argv for any other program inside the namespace. */
export function nsCommand(program: string, ns: ResolvedNs, args: readonly string[]): [string, string[]] {
  if (ns.path === null) {
    return [program, [...args]];
  }
  return ['nsenter', [`--net=${ns.path}`, program, ...args]];
}

/** What `ip link ... netns <arg>` should say to reach the target from any namespace. */
export function netnsArgument(target: NsTarget, hostNetns: string | null, selfPid: number): string {
  const ns = resolveNs(target, hostNetns);
  if (ns.path === null) {
    return `/proc/${selfPid}/ns/net`;
  }
  return ns.name ?? ns.path;
}
