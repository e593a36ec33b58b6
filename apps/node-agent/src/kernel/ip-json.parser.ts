// `ip -j` / `tc -j` output → the port's plain types. Only the fields the dataplanes look at are kept.
import {
  TABLE_LOCAL,
  TABLE_MAIN,
  type AddrInfo,
  type LinkInfo,
  type NeighInfo,
  type QdiscInfo,
  type RouteInfo,
  type RuleInfo,
} from './kernel.port.js';

type Json = Record<string, unknown>;

const NAMED_TABLES: Record<string, number> = { main: TABLE_MAIN, local: TABLE_LOCAL, default: 253 };

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function tableId(name: unknown): number {
  if (typeof name === 'number') {
    return name;
  }
  const text = str(name);
  if (text === undefined) {
    return TABLE_MAIN;
  }
  return NAMED_TABLES[text] ?? Number(text);
}
const flags = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

function withLength(address: unknown, length: unknown): string | undefined {
  const ip = str(address);
  if (ip === undefined || ip === 'all') {
    return undefined;
  }
  return typeof length === 'number' && length !== 32 ? `${ip}/${length}` : ip;
}

export function parseLinks(rows: Json[]): LinkInfo[] {
  return rows.map((row) => {
    const info = row.linkinfo as Json | undefined;
    return {
      index: Number(row.ifindex),
      name: String(row.ifname),
      mac: str(row.address) ?? '',
      mtu: Number(row.mtu),
      up: flags(row.flags).includes('UP'),
      kind: str(info?.info_kind),
      alias: str(row.ifalias),
      master: str(row.master),
    };
  });
}

export function parseAddresses(rows: Json[]): AddrInfo[] {
  return rows.flatMap((row) =>
    (Array.isArray(row.addr_info) ? (row.addr_info as Json[]) : [])
      .filter((a) => a.family === 'inet')
      .map((a) => ({ dev: String(row.ifname), ip: String(a.local), prefix: Number(a.prefixlen) })),
  );
}

export function parseRoutes(rows: Json[]): RouteInfo[] {
  return rows
    .filter((row) => !String(row.dst).includes(':'))
    .map((row) => ({
      dst: String(row.dst),
      table: tableId(row.table),
      dev: str(row.dev),
      gateway: str(row.gateway),
      scope: str(row.scope),
      onlink: flags(row.flags).includes('onlink'),
    }));
}

export function parseRules(rows: Json[]): RuleInfo[] {
  return rows.map((row) => ({
    priority: Number(row.priority),
    from: withLength(row.src, row.srclen),
    to: withLength(row.dst, row.dstlen),
    table: tableId(row.table),
  }));
}

export function parseNeighbours(rows: Json[]): NeighInfo[] {
  return rows
    .filter((row) => !String(row.dst).includes(':'))
    .map((row) => ({
      dev: String(row.dev),
      ip: String(row.dst),
      mac: str(row.lladdr),
      permanent: flags(row.state).includes('PERMANENT'),
    }));
}

export function parseQdiscs(rows: Json[]): QdiscInfo[] {
  return rows.map((row) => {
    const options = (row.options ?? {}) as Json;
    const tbf = row.kind === 'tbf';
    return {
      dev: String(row.dev),
      kind: String(row.kind),
      handle: String(row.handle),
      root: row.root === true,
      // tc reports the tbf rate in bytes per second.
      rateBps: tbf ? Number(options.rate) * 8 : undefined,
      burstBytes: tbf ? Number(options.burst) : undefined,
    };
  });
}

export function parseRedirectTargets(rows: Json[]): string[] {
  return rows.flatMap((row) => {
    const actions = ((row.options as Json | undefined)?.actions ?? []) as Json[];
    return actions.filter((a) => a.kind === 'mirred' && a.mirred_action === 'redirect').map((a) => String(a.to_dev));
  });
}

/** Parses `-batch` output of several `-j ... show` commands: one JSON document per line. */
export function parseJsonLines(stdout: string, expected: number): Json[][] {
  const docs = stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Json[]);
  if (docs.length !== expected) {
    throw new Error(`expected ${expected} JSON documents from the batch, got ${docs.length}`);
  }
  return docs;
}
