// `ipledger allocations [--node N]`: which pod holds which address. Without --node it asks node by node,
// as ListAllocations is per node (the agent's resync call) and the cluster view is their union.
import { type Allocation } from '@ipledger/proto';
import { shortId } from '../render/history-timeline.js';
import { renderTable } from '../render/table.renderer.js';
import { type CommandContext, writeJson } from './command-context.js';

export async function runAllocations(ctx: CommandContext, node: string | null): Promise<void> {
  const client = ctx.allocator();
  const names = node !== null ? [node] : (await client.listNodes({})).nodes.map((n) => n.node);
  const replies = await Promise.all(names.map((name) => client.listAllocations({ node: name })));
  const allocations = replies.flatMap((reply) => reply.allocations).sort(byNodeThenPod);
  if (ctx.json) {
    writeJson(ctx, allocations);
  } else if (allocations.length === 0) {
    ctx.write(node === null ? 'No allocations.\n' : `No allocations on ${node}.\n`);
  } else {
    ctx.write(renderAllocationsTable(allocations));
  }
}

function byNodeThenPod(a: Allocation, b: Allocation): number {
  return (
    a.node.localeCompare(b.node) ||
    a.pod.namespace.localeCompare(b.pod.namespace) ||
    a.pod.name.localeCompare(b.pod.name)
  );
}

export function renderAllocationsTable(allocations: readonly Allocation[]): string {
  return renderTable<Allocation>(
    [
      { header: 'POD', cell: (a) => `${a.pod.namespace}/${a.pod.name}` },
      { header: 'NODE', cell: (a) => a.node },
      { header: 'IP', cell: (a) => a.ip },
      { header: 'ENI', cell: (a) => a.eni?.id ?? '' },
      { header: 'VSWITCH', cell: (a) => a.vswitch_id },
      { header: 'MODE', cell: (a) => a.mode },
      { header: 'FIXED', cell: (a) => (a.fixed ? 'yes' : 'no') },
      { header: 'CONTAINER', cell: (a) => shortId(a.container_id) },
      { header: 'SINCE', cell: (a) => a.allocated_at },
    ],
    allocations,
  );
}
