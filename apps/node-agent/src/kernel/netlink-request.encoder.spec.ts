import { describe, expect, it } from 'vitest';
import { attrStringValue, message, parseAttrs, splitMessages } from './netlink.codec.js';
import {
  FIB_RULE_HDR_LEN,
  IFADDRMSG_LEN,
  IFINFOMSG_LEN,
  NDMSG_LEN,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  NLM_F_REQUEST,
  RTMSG_LEN,
} from './netlink.constants.js';
import {
  encodeOp,
  getLinkRequest,
  namesNeeded,
  namesTouched,
  type EncodeContext,
  type IpOp,
} from './netlink-request.encoder.js';

const INDEX: Record<string, number> = { eth0: 2, eth1: 3, ipl1: 41 };
const ctx: EncodeContext = {
  index: (name) => INDEX[name],
  netnsFd: (target) => (target.kind === 'host' ? 7 : 9),
};

/** Encodes, frames and parses back: the request as the kernel will read it. */
function sent(op: IpOp) {
  const request = encodeOp(op, ctx);
  const [msg] = splitMessages(message({ type: request.type, flags: request.flags, seq: 1 }, request.body));
  return { type: msg.type, flags: msg.flags, payload: msg.payload };
}

const u32 = (b: Buffer | undefined): number | undefined => b?.readUInt32LE(0);
const ip = (b: Buffer | undefined): string | undefined => (b ? [...b].join('.') : undefined);
const mac = (b: Buffer | undefined): string | undefined =>
  b ? [...b].map((x) => x.toString(16).padStart(2, '0')).join(':') : undefined;

const REQ = NLM_F_REQUEST | NLM_F_ACK;

describe('encodeOp: links', () => {
  it('creates a veth with MACs and MTU, its peer straight inside the pod namespace', () => {
    const { type, flags, payload } = sent({
      kind: 'veth-add',
      name: 'ipl1',
      mac: '02:aa:00:00:00:01',
      mtu: 1500,
      peer: { name: 'eth0', mac: '02:bb:00:00:00:02', netns: { kind: 'pod', netns: '/var/run/netns/p1' } },
    });
    expect({ type, flags }).toEqual({ type: 16, flags: REQ | NLM_F_CREATE | NLM_F_EXCL });
    const attrs = parseAttrs(payload.subarray(IFINFOMSG_LEN));
    expect(attrStringValue(attrs.get(3))).toBe('ipl1');
    expect(mac(attrs.get(1))).toBe('02:aa:00:00:00:01');
    expect(u32(attrs.get(4))).toBe(1500);
    const info = parseAttrs(attrs.get(18)!);
    expect(attrStringValue(info.get(1))).toBe('veth');
    const peer = parseAttrs(info.get(2)!).get(1)!;
    expect(peer.readInt32LE(4)).toBe(0);
    const peerAttrs = parseAttrs(peer.subarray(IFINFOMSG_LEN));
    expect(attrStringValue(peerAttrs.get(3))).toBe('eth0');
    expect(mac(peerAttrs.get(1))).toBe('02:bb:00:00:00:02');
    expect(u32(peerAttrs.get(4))).toBe(1500);
    expect(u32(peerAttrs.get(28))).toBe(9);
  });

  it('creates an ifb by kind', () => {
    const { flags, payload } = sent({ kind: 'ifb-add', name: 'iplb1', mtu: 9000 });
    expect(flags).toBe(REQ | NLM_F_CREATE | NLM_F_EXCL);
    const attrs = parseAttrs(payload.subarray(IFINFOMSG_LEN));
    expect(attrStringValue(parseAttrs(attrs.get(18)!).get(1))).toBe('ifb');
    expect(u32(attrs.get(4))).toBe(9000);
  });

  it('sets a link up or down by name, changing only IFF_UP', () => {
    const up = sent({ kind: 'link-up', dev: 'eth0' });
    expect(up.type).toBe(16);
    expect(up.flags).toBe(REQ);
    expect([up.payload.readInt32LE(4), up.payload.readUInt32LE(8), up.payload.readUInt32LE(12)]).toEqual([0, 1, 1]);
    expect(attrStringValue(parseAttrs(up.payload.subarray(IFINFOMSG_LEN)).get(3))).toBe('eth0');
    const down = sent({ kind: 'link-down', dev: 'eth0' });
    expect([down.payload.readUInt32LE(8), down.payload.readUInt32LE(12)]).toEqual([0, 1]);
  });

  it('renames by index, and moves by name or, with a new name, by index', () => {
    const renamed = sent({ kind: 'link-rename', dev: 'eth1', newName: 'eth9' });
    expect(renamed.payload.readInt32LE(4)).toBe(3);
    expect(attrStringValue(parseAttrs(renamed.payload.subarray(IFINFOMSG_LEN)).get(3))).toBe('eth9');
    const moved = sent({ kind: 'link-move', dev: 'eth1', netns: { kind: 'host' }, newName: 'eth1' });
    expect(moved.payload.readInt32LE(4)).toBe(3);
    expect(u32(parseAttrs(moved.payload.subarray(IFINFOMSG_LEN)).get(28))).toBe(7);
    const plain = sent({ kind: 'link-move', dev: 'eth1', netns: { kind: 'pod', netns: 'p1' } });
    expect(plain.payload.readInt32LE(4)).toBe(0);
    expect(attrStringValue(parseAttrs(plain.payload.subarray(IFINFOMSG_LEN)).get(3))).toBe('eth1');
  });

  it('sets an alias and deletes by name', () => {
    const alias = sent({ kind: 'link-alias', dev: 'eth1', alias: 'ipledger:home=eth1' });
    expect(attrStringValue(parseAttrs(alias.payload.subarray(IFINFOMSG_LEN)).get(20))).toBe('ipledger:home=eth1');
    const del = sent({ kind: 'link-del', dev: 'ipl1' });
    expect({ type: del.type, flags: del.flags }).toEqual({ type: 17, flags: REQ });
  });

  it('asks for one link by name without its counters', () => {
    const request = getLinkRequest('eth0');
    const attrs = parseAttrs(Buffer.concat(request.body).subarray(IFINFOMSG_LEN));
    expect(request.type).toBe(18);
    expect(attrStringValue(attrs.get(3))).toBe('eth0');
    expect(u32(attrs.get(29))).toBe(8);
  });
});

describe('encodeOp: addresses, routes, rules, neighbours', () => {
  it('replaces an address with local and peer both set, global scope', () => {
    const { type, flags, payload } = sent({ kind: 'addr-replace', dev: 'eth0', cidr: '10.5.0.4/24' });
    expect({ type, flags }).toEqual({ type: 20, flags: REQ | NLM_F_CREATE | NLM_F_REPLACE });
    expect([payload[0], payload[1], payload[3], payload.readUInt32LE(4)]).toEqual([2, 24, 0, 2]);
    const attrs = parseAttrs(payload.subarray(IFADDRMSG_LEN));
    expect([ip(attrs.get(2)), ip(attrs.get(1))]).toEqual(['10.5.0.4', '10.5.0.4']);
    expect(sent({ kind: 'addr-del', dev: 'eth0', cidr: '10.5.0.4/24' }).type).toBe(21);
  });

  it('replaces a default route via an on-link gateway in a table above 255', () => {
    const { type, flags, payload } = sent({
      kind: 'route-replace',
      dst: 'default',
      via: '10.0.0.253',
      dev: 'eth1',
      onlink: true,
      table: 1003,
    });
    expect({ type, flags }).toEqual({ type: 24, flags: REQ | NLM_F_CREATE | NLM_F_REPLACE });
    // family, dst_len, src_len, tos, table, protocol (boot), scope (universe), type (unicast); flags onlink
    expect([...payload.subarray(0, 8)]).toEqual([2, 0, 0, 0, 0, 3, 0, 1]);
    expect(payload.readUInt32LE(8)).toBe(4);
    const attrs = parseAttrs(payload.subarray(RTMSG_LEN));
    expect(attrs.has(1)).toBe(false);
    expect([u32(attrs.get(15)), ip(attrs.get(5)), u32(attrs.get(4))]).toEqual([1003, '10.0.0.253', 3]);
  });

  it('gives a gateway-less host route link scope in main', () => {
    const { payload } = sent({ kind: 'route-replace', dst: '10.5.0.9/32', dev: 'ipl1', scope: 'link' });
    expect([payload[1], payload[4], payload[6]]).toEqual([32, 254, 253]);
    const attrs = parseAttrs(payload.subarray(RTMSG_LEN));
    expect([ip(attrs.get(1)), u32(attrs.get(4))]).toEqual(['10.5.0.9', 41]);
  });

  it('deletes a route matching any scope, type and protocol', () => {
    const { type, payload } = sent({ kind: 'route-del', dst: '10.5.0.9/32', dev: 'ipl1' });
    expect(type).toBe(25);
    expect([...payload.subarray(0, 8)]).toEqual([2, 32, 0, 0, 254, 0, 255, 0]);
    expect(u32(parseAttrs(payload.subarray(RTMSG_LEN)).get(4))).toBe(41);
    const anyDev = sent({ kind: 'route-del', dst: '10.5.0.9' });
    expect(parseAttrs(anyDev.payload.subarray(RTMSG_LEN)).has(4)).toBe(false);
  });

  it('adds a rule exclusively (a duplicate is EEXIST) and deletes by selector and priority', () => {
    const add = sent({ kind: 'rule-add', priority: 2048, from: '10.5.0.3', table: 1003 });
    expect({ type: add.type, flags: add.flags }).toEqual({ type: 32, flags: REQ | NLM_F_CREATE | NLM_F_EXCL });
    // family, dst_len, src_len, tos, table (unspec: above 255), res, res, action (to table)
    expect([...add.payload.subarray(0, 8)]).toEqual([2, 0, 32, 0, 0, 0, 0, 1]);
    const addAttrs = parseAttrs(add.payload.subarray(FIB_RULE_HDR_LEN));
    expect([ip(addAttrs.get(2)), u32(addAttrs.get(6)), u32(addAttrs.get(15))]).toEqual(['10.5.0.3', 2048, 1003]);
    const del = sent({ kind: 'rule-del', priority: 512, to: '10.5.0.3' });
    expect(del.type).toBe(33);
    expect([...del.payload.subarray(0, 8)]).toEqual([2, 32, 0, 0, 0, 0, 0, 0]);
    const delAttrs = parseAttrs(del.payload.subarray(FIB_RULE_HDR_LEN));
    expect([ip(delAttrs.get(1)), u32(delAttrs.get(6)), delAttrs.has(15)]).toEqual(['10.5.0.3', 512, false]);
  });

  it('replaces a permanent neighbour and deletes one', () => {
    const { type, flags, payload } = sent({
      kind: 'neigh-replace',
      dev: 'eth0',
      ip: '169.254.1.1',
      mac: 'EE:EE:EE:EE:EE:EE',
    });
    expect({ type, flags }).toEqual({ type: 28, flags: REQ | NLM_F_CREATE | NLM_F_REPLACE });
    expect([payload[0], payload.readInt32LE(4), payload.readUInt16LE(8)]).toEqual([2, 2, 0x80]);
    const attrs = parseAttrs(payload.subarray(NDMSG_LEN));
    expect([ip(attrs.get(1)), mac(attrs.get(2))]).toEqual(['169.254.1.1', 'ee:ee:ee:ee:ee:ee']);
    expect(sent({ kind: 'neigh-del', dev: 'eth0', ip: '169.254.1.1' }).type).toBe(29);
  });

  it('refuses malformed values instead of sending them', () => {
    expect(() => sent({ kind: 'neigh-replace', dev: 'eth0', ip: '169.254.1.1', mac: 'nope' })).toThrow(/MAC/);
    expect(() => sent({ kind: 'addr-replace', dev: 'eth0', cidr: '10.5.0.300/32' })).toThrow(/IPv4/);
  });
});

describe('names an operation depends on', () => {
  it('needs indexes only where the kernel cannot look a name up', () => {
    expect(namesNeeded({ kind: 'link-up', dev: 'eth0' })).toEqual([]);
    expect(namesNeeded({ kind: 'route-replace', dst: 'default', dev: 'eth0' })).toEqual(['eth0']);
    expect(namesNeeded({ kind: 'route-del', dst: '10.0.0.1' })).toEqual([]);
    expect(namesNeeded({ kind: 'link-move', dev: 'eth1', netns: { kind: 'host' } })).toEqual([]);
    expect(namesNeeded({ kind: 'link-move', dev: 'eth1', netns: { kind: 'host' }, newName: 'x' })).toEqual(['eth1']);
  });

  it('knows which names may point at another device afterwards', () => {
    expect(namesTouched({ kind: 'veth-add', name: 'a', peer: { name: 'b' } })).toEqual(['a', 'b']);
    expect(namesTouched({ kind: 'veth-add', name: 'a', peer: { name: 'b', netns: { kind: 'host' } } })).toEqual(['a']);
    expect(namesTouched({ kind: 'link-rename', dev: 'a', newName: 'b' })).toEqual(['a', 'b']);
    expect(namesTouched({ kind: 'addr-replace', dev: 'a', cidr: '10.0.0.1/32' })).toEqual([]);
  });
});
