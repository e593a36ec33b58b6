// `ipledger node <name>`: one node's pool, its ENIs, and every address on them with the pod holding it.
import { type Allocation, type EniView, type NodeView, type PoolView } from '@ipledger/proto';
import { CliError } from '../cli-error.js';
import { shortId } from '../render/history-timeline.js';
import { renderFields, renderTable } from '../render/table.renderer.js';
import { type CommandContext, writeJson } from './command-context.js';

export interface NodeDetails {
  node: NodeView;
  pool: PoolView;
  allocations: Allocation[];
}

export async function runNode(ctx: CommandContext, name: string): Promise<void> {
  const client = ctx.allocator();
  const [pool, { allocations }, { nodes }] = await Promise.all([
    client.describePool({ node: name }),
    client.listAllocations({ node: name }),
    client.listNodes({}),
  ]);
  const node = nodes.find((n) => n.node === name);
  if (!node) {
    throw new CliError('NOT_FOUND', `node "${name}" is not registered`);
  }
  const details: NodeDetails = { node, pool, allocations };
  if (ctx.json) {
    writeJson(ctx, details);
  } else {
    ctx.write(renderNodeDetails(details));
  }
}

export function renderNodeDetails({ node, pool, allocations }: NodeDetails): string {
  const targets = pool.targets ? ` (min ${pool.targets.min_pool_size}, max ${pool.targets.max_pool_size})` : '';
  const header = renderFields([
    ['Node', node.node],
    ['Instance', `${node.instance_id} (${node.instance_type}, ${node.zone})`],
    ['Mode', node.mode || 'eniip'],
    ['Max pods', pool.max_pods || node.max_pods],
    ['Registered', node.registered_at],
    [
      'Pool',
      `idle ${pool.idle}, allocated ${pool.allocated}, releasing ${pool.releasing}, cooling ${pool.cooling}${targets}`,
    ],
  ]);
  if (pool.enis.length === 0) {
    return `${header}\nNo ENIs yet.\n`;
  }
  return `${header}\n${renderEnis(pool.enis)}\n${renderAddresses(pool.enis, allocations)}`;
}

function renderEnis(enis: readonly EniView[]): string {
  return renderTable<EniView>(
    [
      { header: 'ENI', cell: (e) => e.id },
      { header: 'STATUS', cell: (e) => e.status },
      { header: 'DEVICE', cell: (e) => e.device_index },
      { header: 'MAC', cell: (e) => e.mac },
      { header: 'VSWITCH', cell: (e) => e.vswitch_id },
      { header: 'CIDR', cell: (e) => e.vswitch_cidr },
      { header: 'GATEWAY', cell: (e) => e.gateway },
      { header: 'IPS', cell: (e) => addressesOf(e).length },
    ],
    enis,
  );
}

interface AddressRow {
  ip: string;
  eni: EniView;
  allocation: Allocation | undefined;
}

function renderAddresses(enis: readonly EniView[], allocations: readonly Allocation[]): string {
  const byIp = new Map(allocations.map((a) => [a.ip, a]));
  const rows: AddressRow[] = enis.flatMap((eni) =>
    addressesOf(eni).map((ip) => ({ ip, eni, allocation: byIp.get(ip) })),
  );
  return renderTable<AddressRow>(
    [
      { header: 'IP', cell: (r) => r.ip + (r.ip === r.eni.primary_ip ? ' (primary)' : '') },
      { header: 'ENI', cell: (r) => r.eni.id },
      { header: 'POD', cell: (r) => (r.allocation ? `${r.allocation.pod.namespace}/${r.allocation.pod.name}` : '') },
      { header: 'CONTAINER', cell: (r) => (r.allocation ? shortId(r.allocation.container_id) : '') },
      { header: 'SINCE', cell: (r) => r.allocation?.allocated_at ?? '' },
    ],
    rows,
  );
}

/** The ENI's primary address first (it serves pods too on a shared ENI), then its secondary ones. */
function addressesOf(eni: EniView): string[] {
  return [...new Set([eni.primary_ip, ...eni.ips].filter((ip) => ip !== ''))];
}
