// NetOp → lines of `ip -batch` / `tc -batch` input. One operation may need several lines (an ingress redirect
// is a qdisc plus a filter); the runner maps failing line numbers back to the operation.
import { KernelError } from './kernel-error.js';
import { type NsTarget } from './kernel.port.js';
import { type NetOp } from './net-op.js';

/** Turns a namespace into the argument `ip ... netns <arg>` accepts (a name under /run/netns or a path). */
export type NetnsArg = (target: NsTarget) => string;

// A batch line is split on blanks and understands quotes and `#` comments; any of those inside a value
// would change the command, so values that contain them are refused instead of escaped.
const SAFE_TOKEN = /^[^\s"'\\#]+$/;

function t(value: string | number): string {
  const text = String(value);
  if (!SAFE_TOKEN.test(text)) {
    throw new KernelError(`refusing unsafe value ${JSON.stringify(text)} in a kernel command`, { value: text });
  }
  return text;
}

const opt = (name: string, value: string | number | undefined): string =>
  value === undefined ? '' : ` ${name} ${t(value)}`;

export function renderOp(op: NetOp, netnsArg: NetnsArg): string[] {
  switch (op.kind) {
    case 'veth-add': {
      const peerNs = op.peer.netns ? ` netns ${t(netnsArg(op.peer.netns))}` : '';
      return [
        `link add ${t(op.name)}${opt('address', op.mac)}${opt('mtu', op.mtu)} type veth peer name ${t(op.peer.name)}` +
          `${opt('address', op.peer.mac)}${opt('mtu', op.mtu)}${peerNs}`,
      ];
    }
    case 'ifb-add':
      return [`link add ${t(op.name)}${opt('mtu', op.mtu)} type ifb`];
    case 'link-up':
      return [`link set dev ${t(op.dev)} up`];
    case 'link-down':
      return [`link set dev ${t(op.dev)} down`];
    case 'link-rename':
      return [`link set dev ${t(op.dev)} name ${t(op.newName)}`];
    case 'link-alias':
      return [`link set dev ${t(op.dev)} alias ${t(op.alias)}`];
    case 'link-move':
      return [`link set dev ${t(op.dev)} netns ${t(netnsArg(op.netns))}${opt('name', op.newName)}`];
    case 'link-del':
      return [`link del dev ${t(op.dev)}`];
    case 'addr-replace':
      return [`addr replace ${t(op.cidr)} dev ${t(op.dev)}`];
    case 'addr-del':
      return [`addr del ${t(op.cidr)} dev ${t(op.dev)}`];
    case 'route-replace':
      return [
        `route replace ${t(op.dst)}${opt('via', op.via)} dev ${t(op.dev)}${op.onlink ? ' onlink' : ''}` +
          `${opt('scope', op.scope)}${opt('table', op.table)}`,
      ];
    case 'route-del':
      return [`route del ${t(op.dst)}${opt('dev', op.dev)}${opt('table', op.table)}`];
    case 'rule-add':
      return [`rule add${opt('from', op.from)}${opt('to', op.to)} lookup ${t(op.table)} priority ${t(op.priority)}`];
    case 'rule-del':
      return [
        `rule del${opt('from', op.from)}${opt('to', op.to)}${opt('lookup', op.table)} priority ${t(op.priority)}`,
      ];
    case 'neigh-replace':
      return [`neigh replace ${t(op.ip)} dev ${t(op.dev)} lladdr ${t(op.mac)} nud permanent`];
    case 'neigh-del':
      // `neigh del` of a missing entry makes ip exit in the middle of a batch; flush is quiet when empty.
      return [`neigh flush to ${t(op.ip)} dev ${t(op.dev)} nud permanent`];
    case 'tbf-replace':
      return [
        `qdisc replace dev ${t(op.dev)} root handle 1: tbf rate ${t(Math.round(op.rateBps))}bit` +
          ` burst ${t(Math.round(op.burstBytes))} latency ${t(op.latencyMs)}ms`,
      ];
    case 'ingress-redirect':
      return [
        `qdisc replace dev ${t(op.dev)} handle ffff: ingress`,
        // A fixed handle makes `replace` update the one filter instead of stacking duplicates on a re-run.
        `filter replace dev ${t(op.dev)} parent ffff: protocol all prio 1 handle 800::800 u32 match u32 0 0` +
          ` action mirred egress redirect dev ${t(op.to)}`,
      ];
    case 'qdisc-del':
      return [`qdisc del dev ${t(op.dev)} ${op.parent === 'root' ? 'root' : 'ingress'}`];
  }
}
