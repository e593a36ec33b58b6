// `ipledger allocation --ip IP | --pod ns/name`: everything the pod was handed, as the CNI result shows it.
import { type Allocation } from '@ipledger/proto';
import { type Target } from '../cli-args.js';
import { renderFields } from '../render/table.renderer.js';
import { type CommandContext, writeJson } from './command-context.js';

export async function runAllocation(ctx: CommandContext, target: Extract<Target, { kind: 'ip' | 'pod' }>) {
  const request =
    target.kind === 'ip'
      ? { ip: target.ip }
      : { pod: { namespace: target.pod.namespace, name: target.pod.name, uid: target.pod.uid ?? '' } };
  const allocation = await ctx.allocator().getAllocation(request);
  if (ctx.json) {
    writeJson(ctx, allocation);
  } else {
    ctx.write(renderAllocation(allocation));
  }
}

export function renderAllocation(a: Allocation): string {
  const vlan = a.eni?.trunk ? ` (trunk member, VLAN ${a.eni.vlan_id})` : '';
  return renderFields([
    ['Pod', `${a.pod.namespace}/${a.pod.name}`],
    ['Pod UID', a.pod.uid],
    ['Container', a.container_id],
    ['Node', a.node],
    ['IP', a.prefix_length ? `${a.ip}/${a.prefix_length}` : a.ip],
    ['IPv6', a.ipv6],
    ['Gateway', a.gateway],
    ['vSwitch', a.vswitch_cidr ? `${a.vswitch_id} (${a.vswitch_cidr})` : a.vswitch_id],
    ['ENI', a.eni ? `${a.eni.id} (MAC ${a.eni.mac})${vlan}` : ''],
    ['Mode', a.mode],
    ['Service CIDR', a.service_cidr],
    ['Fixed IP', a.fixed ? 'yes' : 'no'],
    ['Allocated at', a.allocated_at],
  ]);
}
