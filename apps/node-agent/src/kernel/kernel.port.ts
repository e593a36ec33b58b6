// The one door from the node agent to the Linux kernel (STYLE.md, "One kernel adapter"). Nothing else in the
// agent runs ip, tc, sysctl or nft. Every write is idempotent: adding what exists and deleting what is gone
// succeed, so a retried or repeated setup/teardown converges instead of failing.
import { type NetOp } from './net-op.js';

/**
 * Where an operation runs. `host` is the node's own namespace: the agent's namespace in production, or the
 * named "node" namespace in the simulation (the adapter's `hostNetns`). `pod` is a sandbox namespace, given
 * as the runtime passes it (a path such as /var/run/netns/cni-1234 or /proc/<pid>/ns/net) or as a bare name
 * under /run/netns.
 */
export type NsTarget = { kind: 'host' } | { kind: 'pod'; netns: string };

export const HOST_NS: NsTarget = { kind: 'host' };
export const podNs = (netns: string): NsTarget => ({ kind: 'pod', netns });

/** Numeric ids of the well-known route tables. */
export const TABLE_MAIN = 254;
export const TABLE_LOCAL = 255;

export interface LinkInfo {
  index: number;
  name: string;
  mac: string;
  mtu: number;
  /** Administratively up (IFF_UP), not whether it has carrier. */
  up: boolean;
  /** rtnl kind, e.g. `veth`, `ifb`, `bridge`; absent for devices without link ops. */
  kind?: string;
  alias?: string;
  master?: string;
}

export interface AddrInfo {
  dev: string;
  ip: string;
  prefix: number;
}

export interface RouteInfo {
  /** `default`, a bare address for host routes, or `a.b.c.d/len`. */
  dst: string;
  table: number;
  dev?: string;
  gateway?: string;
  scope?: string;
  onlink: boolean;
}

export interface RuleInfo {
  priority: number;
  /** `a.b.c.d` for /32, `a.b.c.d/len` otherwise; absent for "all". */
  from?: string;
  to?: string;
  table: number;
}

export interface NeighInfo {
  dev: string;
  ip: string;
  mac?: string;
  permanent: boolean;
}

export interface QdiscInfo {
  dev: string;
  kind: string;
  handle: string;
  root: boolean;
  /** tbf only: rate in bits per second and bucket size in bytes. */
  rateBps?: number;
  burstBytes?: number;
}

/** What `read` returns; the parts that were not asked for are empty. */
export interface NetSnapshot {
  links: LinkInfo[];
  addresses: AddrInfo[];
  routes: RouteInfo[];
  rules: RuleInfo[];
  neighbours: NeighInfo[];
}

export type SnapshotPart = keyof NetSnapshot;

export interface KernelPort {
  /** The node's namespace name, or null when the agent itself lives in the node's namespace. */
  readonly hostNetns: string | null;
  /**
   * Applies the operations in order inside one namespace (a few processes at most, one per tool run).
   * "Exists" on add and "not found" on delete count as success; any other failure throws a KernelError
   * after the remaining operations were still attempted, so callers roll back with idempotent undo ops.
   */
  apply(target: NsTarget, ops: readonly NetOp[]): Promise<void>;
  /** IPv4 links, addresses, routes of every table, rules and neighbours, read in one process. */
  read(target: NsTarget, parts?: readonly SnapshotPart[]): Promise<NetSnapshot>;
  qdiscs(target: NsTarget): Promise<QdiscInfo[]>;
  /** Devices the ingress qdisc of `dev` redirects to (u32 + mirred), empty when none. */
  ingressRedirects(target: NsTarget, dev: string): Promise<string[]>;
  /** Keys in dotted form (`net.ipv4.conf.all.rp_filter`); device names may contain dots only when escaped. */
  readSysctls(target: NsTarget, keys: readonly string[]): Promise<Record<string, string>>;
  writeSysctls(target: NsTarget, values: Readonly<Record<string, string>>): Promise<void>;
  /** Runs an nft script (`nft -f -`) in the namespace and returns its output. */
  nft(target: NsTarget, script: string): Promise<string>;
  /** Whether the namespace can still be entered (a pod's may be gone before DEL). */
  netnsExists(target: NsTarget): Promise<boolean>;
}
