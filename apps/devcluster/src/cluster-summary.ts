// The summary a newcomer reads after the cluster came up: nodes and their pools, ENIs, pods, the cloud calls
// ecs-sim answered, allocation latency and (with namespaces) who can reach whom. Pure: data in, text out.
import { type NodeView } from '@ipledger/proto';
import { renderTable } from '../../ctl/src/render/table.renderer.js';
import { type CallCountsByApi } from '../../ecs-sim/src/index.js';

export interface PodRow {
  name: string;
  node: string;
  ip: string;
  eni: string;
}

export interface PodTally {
  /** Pods the run tried to start. */
  started: number;
  /** Of those, pods that got an address. */
  addressed: number;
  failed: number;
  released: number;
  running: PodRow[];
}

/** From each pod (row) to each address (column): reachable or not. */
export interface PingMatrix {
  pods: PodRow[];
  reachable: boolean[][];
}

export interface ClusterSnapshot {
  title: string;
  nodes: NodeView[];
  calls: CallCountsByApi;
  pods: PodTally;
  /** e.g. `AllocateIp round trip: p50 2.1 ms, p99 40 ms (n = 16)`. */
  latency: string;
  ping: PingMatrix | null;
}

/** Pod tables longer than this are left out (the CLI lists them). */
export const MAX_POD_ROWS = 30;

export function renderSummary(snapshot: ClusterSnapshot): string {
  const sections = [
    `== ${snapshot.title} ==\n`,
    renderNodes(snapshot.nodes),
    renderEnis(snapshot.nodes),
    renderPods(snapshot.pods),
    renderCalls(snapshot.calls),
    snapshot.latency,
  ];
  if (snapshot.ping) {
    sections.push(renderPing(snapshot.ping));
  }
  return sections.join('').trimEnd() + '\n';
}

export function poolTotals(nodes: readonly NodeView[]): { idle: number; allocated: number; cooling: number } {
  return nodes.reduce(
    (sum, node) => ({
      idle: sum.idle + node.pool.idle,
      allocated: sum.allocated + node.pool.allocated,
      cooling: sum.cooling + node.pool.cooling + node.pool.releasing,
    }),
    { idle: 0, allocated: 0, cooling: 0 },
  );
}

/** Pod ENIs of every node (the instance's primary NIC is not the pool's). */
export const eniCount = (nodes: readonly NodeView[]): number => nodes.reduce((n, node) => n + node.pool.enis.length, 0);

function renderNodes(nodes: readonly NodeView[]): string {
  const totals = poolTotals(nodes);
  const table = renderTable(
    [
      { header: 'NODE', cell: (n: NodeView) => n.node },
      { header: 'INSTANCE', cell: (n) => n.instance_id },
      { header: 'TYPE', cell: (n) => n.instance_type },
      { header: 'ZONE', cell: (n) => n.zone },
      { header: 'MAX PODS', cell: (n) => n.max_pods },
      { header: 'ENIS', cell: (n) => n.pool.enis.length },
      { header: 'IDLE', cell: (n) => n.pool.idle },
      { header: 'ALLOCATED', cell: (n) => n.pool.allocated },
      // Being torn down or resting before reuse: both are unavailable for now.
      { header: 'COOLING', cell: (n) => n.pool.cooling + n.pool.releasing },
    ],
    nodes,
  );
  return (
    `\nNodes (${nodes.length}):\n${table}` +
    `IPs: ${totals.idle} idle, ${totals.allocated} allocated, ${totals.cooling} cooling; ${eniCount(nodes)} pod ENIs\n`
  );
}

function renderEnis(nodes: readonly NodeView[]): string {
  const rows = nodes.flatMap((node) => node.pool.enis.map((eni) => ({ node: node.node, eni })));
  if (rows.length === 0) {
    return '\nENIs: none yet\n';
  }
  const table = renderTable(
    [
      { header: 'ENI', cell: (r: (typeof rows)[number]) => r.eni.id },
      { header: 'NODE', cell: (r) => r.node },
      { header: 'VSWITCH', cell: (r) => `${r.eni.vswitch_id} (${r.eni.vswitch_cidr})` },
      { header: 'STATUS', cell: (r) => r.eni.status },
      { header: 'IPS', cell: (r) => r.eni.ips.length },
    ],
    rows,
  );
  return `\nENIs (created by the allocator through ecs-sim):\n${table}`;
}

function renderPods(pods: PodTally): string {
  const line =
    `\nPods: ${pods.started} started, ${pods.addressed} got an address, ${pods.failed} failed, ` +
    `${pods.released} released, ${pods.running.length} running\n`;
  if (pods.running.length === 0 || pods.running.length > MAX_POD_ROWS) {
    return line;
  }
  return (
    line +
    renderTable(
      [
        { header: 'POD', cell: (p: PodRow) => p.name },
        { header: 'NODE', cell: (p) => p.node },
        { header: 'IP', cell: (p) => p.ip },
        { header: 'ENI', cell: (p) => p.eni },
      ],
      pods.running,
    )
  );
}

function renderCalls(calls: CallCountsByApi): string {
  const rows = Object.entries(calls)
    .filter(([, count]) => count.calls > 0)
    .map(([api, count]) => ({ api, ...count }));
  if (rows.length === 0) {
    return '\nCloud calls: none\n';
  }
  const total = rows.reduce((sum, row) => sum + row.calls, 0);
  const table = renderTable(
    [
      { header: 'API', cell: (r: (typeof rows)[number]) => r.api },
      { header: 'CALLS', cell: (r) => r.calls },
      { header: 'OK', cell: (r) => r.succeeded },
      { header: 'THROTTLED', cell: (r) => r.throttled },
      { header: 'FAULTED', cell: (r) => r.faulted },
      { header: 'FAILED', cell: (r) => r.failed },
    ],
    rows,
  );
  return `\nCloud calls answered by ecs-sim (${total} in all):\n${table}`;
}

function renderPing(ping: PingMatrix): string {
  const columns = [
    { header: 'FROM \\ TO', cell: (row: { pod: PodRow; cells: string[] }) => `${row.pod.name} (${row.pod.node})` },
    ...ping.pods.map((target, i) => ({
      header: target.ip,
      cell: (row: { pod: PodRow; cells: string[] }) => row.cells[i],
      align: 'left' as const,
    })),
  ];
  const rows = ping.pods.map((pod, i) => ({
    pod,
    cells: ping.reachable[i].map((ok, j) => (i === j ? '·' : ok ? 'ok' : 'NO')),
  }));
  const answered = ping.reachable.flatMap((row, i) => row.filter((ok, j) => i !== j && ok)).length;
  const asked = ping.pods.length * (ping.pods.length - 1);
  return `\nPing between pods, across nodes (${answered} of ${asked} answered):\n${renderTable(columns, rows)}`;
}
