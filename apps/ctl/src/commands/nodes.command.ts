// `ipledger nodes`: every registered node with its limits and its pool at a glance.
import { type NodeView } from '@ipledger/proto';
import { renderTable } from '../render/table.renderer.js';
import { type CommandContext, writeJson } from './command-context.js';

export async function runNodes(ctx: CommandContext): Promise<void> {
  const { nodes } = await ctx.allocator().listNodes({});
  const sorted = [...nodes].sort((a, b) => a.node.localeCompare(b.node));
  if (ctx.json) {
    writeJson(ctx, sorted);
  } else if (sorted.length === 0) {
    ctx.write('No nodes registered.\n');
  } else {
    ctx.write(renderNodesTable(sorted));
  }
}

export function renderNodesTable(nodes: readonly NodeView[]): string {
  return renderTable<NodeView>(
    [
      { header: 'NODE', cell: (n) => n.node },
      { header: 'INSTANCE', cell: (n) => n.instance_id },
      { header: 'TYPE', cell: (n) => n.instance_type },
      { header: 'ZONE', cell: (n) => n.zone },
      { header: 'MODE', cell: (n) => n.mode || 'eniip' },
      { header: 'MAX PODS', cell: (n) => n.max_pods },
      { header: 'ENIS', cell: (n) => `${n.enis.length}/${n.limits?.adapters ?? '?'}`, align: 'right' },
      { header: 'IDLE', cell: (n) => n.pool?.idle ?? 0 },
      { header: 'ALLOCATED', cell: (n) => n.pool?.allocated ?? 0 },
      { header: 'COOLING', cell: (n) => (n.pool?.cooling ?? 0) + (n.pool?.releasing ?? 0) },
    ],
    nodes,
  );
}
