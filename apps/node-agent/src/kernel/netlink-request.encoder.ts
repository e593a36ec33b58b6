// NetOp → rtnetlink request, field for field what iproute2 sends for the line net-op.renderer.ts writes, so
// both adapters leave the kernel in the same state. Devices are named where the kernel can look them up by
// name (link changes and deletes); addresses, routes and neighbours need the index, which the caller resolves.
import { type NsTarget } from './kernel.port.js';
import {
  attrIpv4,
  attrMac,
  attrString,
  attrU32,
  fibRuleHdr,
  ifaddrmsg,
  ifinfomsg,
  ndmsg,
  nested,
  parsePrefix,
  rtmsg,
} from './netlink.codec.js';
import * as nl from './netlink.constants.js';
import { type NetlinkRequest } from './netlink.socket.js';
import { toolOf, type NetOp } from './net-op.js';

/** The `ip` operations; `tc` ones stay with iproute2. */
export type IpOp = Exclude<NetOp, { kind: 'tbf-replace' | 'ingress-redirect' | 'qdisc-del' }>;

export const isIpOp = (op: NetOp): op is IpOp => toolOf(op) === 'ip';

export interface EncodeContext {
  /** The index of a device the caller resolved beforehand (see `namesNeeded`). */
  index(name: string): number;
  /** An open descriptor of the namespace a device is created in or moved to. */
  netnsFd(target: NsTarget): number;
}

const REQ = nl.NLM_F_REQUEST | nl.NLM_F_ACK;
const CREATE_NEW = REQ | nl.NLM_F_CREATE | nl.NLM_F_EXCL;
const CREATE_OR_REPLACE = REQ | nl.NLM_F_CREATE | nl.NLM_F_REPLACE;

/** Devices an operation addresses by index, so their index must be known before it is encoded. */
export function namesNeeded(op: IpOp): string[] {
  switch (op.kind) {
    case 'link-rename':
    case 'addr-replace':
    case 'addr-del':
    case 'route-replace':
    case 'neigh-replace':
    case 'neigh-del':
      return [op.dev];
    case 'link-move':
      return op.newName === undefined ? [] : [op.dev];
    case 'route-del':
      return op.dev === undefined ? [] : [op.dev];
    case 'veth-add':
    case 'ifb-add':
    case 'link-up':
    case 'link-down':
    case 'link-alias':
    case 'link-del':
    case 'rule-add':
    case 'rule-del':
      return [];
  }
}

/** Names whose device (and so whose index) may differ after the operation ran. */
export function namesTouched(op: IpOp): string[] {
  switch (op.kind) {
    case 'veth-add':
      return op.peer.netns === undefined ? [op.name, op.peer.name] : [op.name];
    case 'ifb-add':
      return [op.name];
    case 'link-rename':
      return [op.dev, op.newName];
    case 'link-move':
    case 'link-del':
      return [op.dev];
    case 'link-up':
    case 'link-down':
    case 'link-alias':
    case 'addr-replace':
    case 'addr-del':
    case 'route-replace':
    case 'route-del':
    case 'rule-add':
    case 'rule-del':
    case 'neigh-replace':
    case 'neigh-del':
      return [];
  }
}

/** Asks for one link by name; the reply carries its index. */
export const getLinkRequest = (name: string): NetlinkRequest => ({
  type: nl.RTM_GETLINK,
  flags: REQ,
  body: [ifinfomsg(), attrString(nl.IFLA_IFNAME, name), attrU32(nl.IFLA_EXT_MASK, nl.RTEXT_FILTER_SKIP_STATS)],
});

export function encodeOp(op: IpOp, ctx: EncodeContext): NetlinkRequest {
  switch (op.kind) {
    case 'veth-add':
    case 'ifb-add':
      return encodeLinkAdd(op, ctx);
    case 'link-up':
    case 'link-down':
      return {
        type: nl.RTM_NEWLINK,
        flags: REQ,
        body: [
          ifinfomsg({ flags: op.kind === 'link-up' ? nl.IFF_UP : 0, change: nl.IFF_UP }),
          attrString(nl.IFLA_IFNAME, op.dev),
        ],
      };
    case 'link-rename':
      return {
        type: nl.RTM_NEWLINK,
        flags: REQ,
        body: [ifinfomsg({ index: ctx.index(op.dev) }), attrString(nl.IFLA_IFNAME, op.newName)],
      };
    case 'link-alias':
      return {
        type: nl.RTM_NEWLINK,
        flags: REQ,
        body: [ifinfomsg(), attrString(nl.IFLA_IFNAME, op.dev), attrString(nl.IFLA_IFALIAS, op.alias)],
      };
    case 'link-move': {
      // Without a new name the device is found by name; with one, nl.IFLA_IFNAME is the new name.
      const head =
        op.newName === undefined
          ? [ifinfomsg(), attrString(nl.IFLA_IFNAME, op.dev)]
          : [ifinfomsg({ index: ctx.index(op.dev) }), attrString(nl.IFLA_IFNAME, op.newName)];
      return { type: nl.RTM_NEWLINK, flags: REQ, body: [...head, attrU32(nl.IFLA_NET_NS_FD, ctx.netnsFd(op.netns))] };
    }
    case 'link-del':
      return { type: nl.RTM_DELLINK, flags: REQ, body: [ifinfomsg(), attrString(nl.IFLA_IFNAME, op.dev)] };
    case 'addr-replace':
    case 'addr-del':
      return encodeAddress(op, ctx);
    case 'route-replace':
      return encodeRouteReplace(op, ctx);
    case 'route-del':
      return encodeRouteDel(op, ctx);
    case 'rule-add':
    case 'rule-del':
      return encodeRule(op);
    case 'neigh-replace':
      return {
        type: nl.RTM_NEWNEIGH,
        flags: CREATE_OR_REPLACE,
        body: [
          ndmsg({ family: nl.AF_INET, index: ctx.index(op.dev), state: nl.NUD_PERMANENT }),
          attrIpv4(nl.NDA_DST, op.ip),
          attrMac(nl.NDA_LLADDR, op.mac),
        ],
      };
    case 'neigh-del':
      return {
        type: nl.RTM_DELNEIGH,
        flags: REQ,
        body: [ndmsg({ family: nl.AF_INET, index: ctx.index(op.dev), state: 0 }), attrIpv4(nl.NDA_DST, op.ip)],
      };
  }
}

function encodeLinkAdd(op: Extract<IpOp, { kind: 'veth-add' | 'ifb-add' }>, ctx: EncodeContext): NetlinkRequest {
  const mtu = op.mtu === undefined ? [] : [attrU32(nl.IFLA_MTU, op.mtu)];
  if (op.kind === 'ifb-add') {
    const info = nested(nl.IFLA_LINKINFO, [attrString(nl.IFLA_INFO_KIND, 'ifb')]);
    return {
      type: nl.RTM_NEWLINK,
      flags: CREATE_NEW,
      body: [ifinfomsg(), attrString(nl.IFLA_IFNAME, op.name), ...mtu, info],
    };
  }
  const mac = (value?: string) => (value === undefined ? [] : [attrMac(nl.IFLA_ADDRESS, value)]);
  // The peer is an ifinfomsg followed by its own attributes, nested in nl.VETH_INFO_PEER.
  const peer = nested(nl.VETH_INFO_PEER, [
    ifinfomsg(),
    attrString(nl.IFLA_IFNAME, op.peer.name),
    ...mac(op.peer.mac),
    ...mtu,
    ...(op.peer.netns === undefined ? [] : [attrU32(nl.IFLA_NET_NS_FD, ctx.netnsFd(op.peer.netns))]),
  ]);
  const info = nested(nl.IFLA_LINKINFO, [attrString(nl.IFLA_INFO_KIND, 'veth'), nested(nl.IFLA_INFO_DATA, [peer])]);
  return {
    type: nl.RTM_NEWLINK,
    flags: CREATE_NEW,
    body: [ifinfomsg(), attrString(nl.IFLA_IFNAME, op.name), ...mac(op.mac), ...mtu, info],
  };
}

function encodeAddress(op: Extract<IpOp, { kind: 'addr-replace' | 'addr-del' }>, ctx: EncodeContext) {
  const { ip, len } = parsePrefix(op.cidr);
  // iproute2 gives loopback addresses host scope and every other one global scope.
  const scope = ip.startsWith('127.') ? nl.RT_SCOPE_HOST : nl.RT_SCOPE_UNIVERSE;
  return {
    type: op.kind === 'addr-replace' ? nl.RTM_NEWADDR : nl.RTM_DELADDR,
    flags: op.kind === 'addr-replace' ? CREATE_OR_REPLACE : REQ,
    body: [
      ifaddrmsg({ family: nl.AF_INET, prefix: len, scope, index: ctx.index(op.dev) }),
      attrIpv4(nl.IFA_LOCAL, ip),
      attrIpv4(nl.IFA_ADDRESS, ip),
    ],
  };
}

/** Tables above 255 only fit the attribute; the header then says "unspecified". */
const headerTable = (table: number): number => (table < 256 ? table : nl.RT_TABLE_UNSPEC);

const dstAttr = (ip: string, len: number): Buffer[] => (len === 0 ? [] : [attrIpv4(nl.RTA_DST, ip)]);

function encodeRouteReplace(op: Extract<IpOp, { kind: 'route-replace' }>, ctx: EncodeContext): NetlinkRequest {
  const { ip, len } = parsePrefix(op.dst);
  const table = op.table ?? nl.RT_TABLE_MAIN;
  // As iproute2: an explicit scope wins; a route without a gateway is on-link (link scope).
  const scope =
    op.scope === 'host'
      ? nl.RT_SCOPE_HOST
      : op.scope === 'link' || op.via === undefined
        ? nl.RT_SCOPE_LINK
        : nl.RT_SCOPE_UNIVERSE;
  return {
    type: nl.RTM_NEWROUTE,
    flags: CREATE_OR_REPLACE,
    body: [
      rtmsg({
        family: nl.AF_INET,
        dstLen: len,
        table: headerTable(table),
        protocol: nl.RTPROT_BOOT,
        scope,
        type: nl.RTN_UNICAST,
        flags: op.onlink ? nl.RTNH_F_ONLINK : 0,
      }),
      ...dstAttr(ip, len),
      attrU32(nl.RTA_TABLE, table),
      ...(op.via === undefined ? [] : [attrIpv4(nl.RTA_GATEWAY, op.via)]),
      attrU32(nl.RTA_OIF, ctx.index(op.dev)),
    ],
  };
}

function encodeRouteDel(op: Extract<IpOp, { kind: 'route-del' }>, ctx: EncodeContext): NetlinkRequest {
  const { ip, len } = parsePrefix(op.dst);
  const table = op.table ?? nl.RT_TABLE_MAIN;
  // Scope "nowhere", no type and no protocol: the kernel matches any, as for `ip route del`.
  return {
    type: nl.RTM_DELROUTE,
    flags: REQ,
    body: [
      rtmsg({
        family: nl.AF_INET,
        dstLen: len,
        table: headerTable(table),
        protocol: 0,
        scope: nl.RT_SCOPE_NOWHERE,
        type: 0,
        flags: 0,
      }),
      ...dstAttr(ip, len),
      attrU32(nl.RTA_TABLE, table),
      ...(op.dev === undefined ? [] : [attrU32(nl.RTA_OIF, ctx.index(op.dev))]),
    ],
  };
}

function encodeRule(op: Extract<IpOp, { kind: 'rule-add' | 'rule-del' }>): NetlinkRequest {
  const from = op.from === undefined ? null : parsePrefix(op.from);
  const to = op.to === undefined ? null : parsePrefix(op.to);
  const adding = op.kind === 'rule-add';
  return {
    type: adding ? nl.RTM_NEWRULE : nl.RTM_DELRULE,
    // EXCL makes a second identical add fail with EEXIST instead of stacking a duplicate rule.
    flags: adding ? CREATE_NEW : REQ,
    body: [
      fibRuleHdr({
        family: nl.AF_INET,
        dstLen: to?.len ?? 0,
        srcLen: from?.len ?? 0,
        table: op.table === undefined ? nl.RT_TABLE_UNSPEC : headerTable(op.table),
        // A delete without an action matches any; an add sends the lookup to the table.
        action: adding ? nl.FR_ACT_TO_TBL : 0,
      }),
      ...(from ? [attrIpv4(nl.FRA_SRC, from.ip)] : []),
      ...(to ? [attrIpv4(nl.FRA_DST, to.ip)] : []),
      attrU32(nl.FRA_PRIORITY, op.priority),
      ...(op.table === undefined ? [] : [attrU32(nl.FRA_TABLE, op.table)]),
    ],
  };
}
