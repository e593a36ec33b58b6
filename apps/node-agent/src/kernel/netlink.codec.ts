// Byte layout of netlink messages: fixed headers in host byte order (little-endian on every platform the
// agent runs on), attributes as length/type/value padded to 4 bytes, addresses in network byte order.
import {
  FIB_RULE_HDR_LEN,
  IFADDRMSG_LEN,
  IFINFOMSG_LEN,
  NDMSG_LEN,
  NLA_HDRLEN,
  NLA_TYPE_MASK,
  NLMSG_HDRLEN,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSGERR_ATTR_MSG,
  RTMSG_LEN,
} from './netlink.constants.js';

export const align4 = (length: number): number => (length + 3) & ~3;

// ---------------------------------------------------------------------------------------------- encoding

/** One attribute: header, value, zero padding up to the next 4-byte boundary. */
export function attr(type: number, value: Uint8Array): Buffer {
  const out = Buffer.alloc(align4(NLA_HDRLEN + value.length));
  out.writeUInt16LE(NLA_HDRLEN + value.length, 0);
  out.writeUInt16LE(type, 2);
  out.set(value, NLA_HDRLEN);
  return out;
}

export function attrU32(type: number, value: number): Buffer {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(value >>> 0, 0);
  return attr(type, data);
}

/** A NUL-terminated string, as the kernel expects for names, kinds and aliases. */
export const attrString = (type: number, value: string): Buffer => attr(type, Buffer.from(`${value}\0`, 'utf8'));

export const attrIpv4 = (type: number, ip: string): Buffer => attr(type, ipv4Bytes(ip));

export const attrMac = (type: number, mac: string): Buffer => attr(type, macBytes(mac));

/** An attribute whose value is more attributes (or a fixed header followed by attributes). */
export const nested = (type: number, parts: readonly Uint8Array[]): Buffer => attr(type, Buffer.concat(parts));

export interface MessageHeader {
  type: number;
  flags: number;
  seq: number;
}

/** nlmsghdr + body; the port id stays 0 so the kernel fills in ours. */
export function message(header: MessageHeader, body: readonly Uint8Array[]): Buffer {
  const payload = Buffer.concat(body);
  const out = Buffer.alloc(align4(NLMSG_HDRLEN + payload.length));
  out.writeUInt32LE(NLMSG_HDRLEN + payload.length, 0);
  out.writeUInt16LE(header.type, 4);
  out.writeUInt16LE(header.flags, 6);
  out.writeUInt32LE(header.seq, 8);
  out.writeUInt32LE(0, 12);
  out.set(payload, NLMSG_HDRLEN);
  return out;
}

export interface IfInfo {
  family?: number;
  index?: number;
  flags?: number;
  change?: number;
}

export function ifinfomsg(info: IfInfo = {}): Buffer {
  const out = Buffer.alloc(IFINFOMSG_LEN);
  out.writeUInt8(info.family ?? 0, 0);
  out.writeInt32LE(info.index ?? 0, 4);
  out.writeUInt32LE((info.flags ?? 0) >>> 0, 8);
  out.writeUInt32LE((info.change ?? 0) >>> 0, 12);
  return out;
}

export function ifaddrmsg(a: { family: number; prefix: number; scope: number; index: number }): Buffer {
  const out = Buffer.alloc(IFADDRMSG_LEN);
  out.writeUInt8(a.family, 0);
  out.writeUInt8(a.prefix, 1);
  out.writeUInt8(a.scope, 3);
  out.writeUInt32LE(a.index, 4);
  return out;
}

export interface RtMsg {
  family: number;
  dstLen: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
}

export function rtmsg(r: RtMsg): Buffer {
  const out = Buffer.alloc(RTMSG_LEN);
  out.writeUInt8(r.family, 0);
  out.writeUInt8(r.dstLen, 1);
  out.writeUInt8(r.table, 4);
  out.writeUInt8(r.protocol, 5);
  out.writeUInt8(r.scope, 6);
  out.writeUInt8(r.type, 7);
  out.writeUInt32LE(r.flags >>> 0, 8);
  return out;
}

export function fibRuleHdr(r: { family: number; dstLen: number; srcLen: number; table: number; action: number }) {
  const out = Buffer.alloc(FIB_RULE_HDR_LEN);
  out.writeUInt8(r.family, 0);
  out.writeUInt8(r.dstLen, 1);
  out.writeUInt8(r.srcLen, 2);
  out.writeUInt8(r.table, 4);
  out.writeUInt8(r.action, 7);
  return out;
}

export function ndmsg(n: { family: number; index: number; state: number }): Buffer {
  const out = Buffer.alloc(NDMSG_LEN);
  out.writeUInt8(n.family, 0);
  out.writeInt32LE(n.index, 4);
  out.writeUInt16LE(n.state, 8);
  return out;
}

export function ipv4Bytes(ip: string): Buffer {
  const parts = ip.split('.');
  const bytes = parts.map(Number);
  if (parts.length !== 4 || bytes.some((b, i) => !/^\d{1,3}$/.test(parts[i]) || b > 255)) {
    throw new RangeError(`not an IPv4 address: ${JSON.stringify(ip)}`);
  }
  return Buffer.from(bytes);
}

export function macBytes(mac: string): Buffer {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) {
    throw new RangeError(`not a MAC address: ${JSON.stringify(mac)}`);
  }
  return Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
}

/** `a.b.c.d/len`, a bare address (/32) or `default` (0.0.0.0/0). */
export function parsePrefix(cidr: string): { ip: string; len: number } {
  if (cidr === 'default') {
    return { ip: '0.0.0.0', len: 0 };
  }
  const [ip, len] = cidr.split('/');
  const length = len === undefined ? 32 : Number(len);
  if (!Number.isInteger(length) || length < 0 || length > 32 || (len !== undefined && !/^\d+$/.test(len))) {
    throw new RangeError(`not an IPv4 prefix: ${JSON.stringify(cidr)}`);
  }
  ipv4Bytes(ip);
  return { ip, len: length };
}

// ---------------------------------------------------------------------------------------------- decoding

export interface DecodedMessage extends MessageHeader {
  payload: Buffer;
}

/** Splits a datagram into its messages; a truncated tail is dropped rather than misread. */
export function splitMessages(data: Buffer): DecodedMessage[] {
  const out: DecodedMessage[] = [];
  let offset = 0;
  while (offset + NLMSG_HDRLEN <= data.length) {
    const length = data.readUInt32LE(offset);
    if (length < NLMSG_HDRLEN || offset + length > data.length) {
      break;
    }
    out.push({
      type: data.readUInt16LE(offset + 4),
      flags: data.readUInt16LE(offset + 6),
      seq: data.readUInt32LE(offset + 8),
      payload: data.subarray(offset + NLMSG_HDRLEN, offset + length),
    });
    offset += align4(length);
  }
  return out;
}

/** Attributes of a block, by type (flag bits masked off); the last one wins when a type repeats. */
export function parseAttrs(data: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let offset = 0;
  while (offset + NLA_HDRLEN <= data.length) {
    const length = data.readUInt16LE(offset);
    if (length < NLA_HDRLEN || offset + length > data.length) {
      break;
    }
    out.set(data.readUInt16LE(offset + 2) & NLA_TYPE_MASK, data.subarray(offset + NLA_HDRLEN, offset + length));
    offset += align4(length);
  }
  return out;
}

export const attrStringValue = (value: Buffer | undefined): string | undefined =>
  value === undefined ? undefined : value.toString('utf8').replace(/\0.*$/s, '');

export interface AckPayload {
  /** 0 for success, otherwise a positive errno. */
  errno: number;
  /** The kernel's own words on why (extended ack), when it gave any. */
  detail?: string;
}

/** An NLMSG_ERROR payload: a negative errno, the echoed request, then optional extended-ack attributes. */
export function parseAck(payload: Buffer, flags: number): AckPayload {
  if (payload.length < 4) {
    return { errno: 0 };
  }
  const code = payload.readInt32LE(0);
  const errno = code === 0 ? 0 : -code;
  if (errno === 0 || (flags & NLM_F_ACK_TLVS) === 0 || payload.length < 4 + NLMSG_HDRLEN) {
    return { errno };
  }
  const echoed = flags & NLM_F_CAPPED ? NLMSG_HDRLEN : payload.readUInt32LE(4);
  const detail = attrStringValue(parseAttrs(payload.subarray(4 + align4(echoed))).get(NLMSGERR_ATTR_MSG));
  return detail ? { errno, detail } : { errno };
}

/** The index of a link reply (RTM_NEWLINK payload). */
export const ifinfoIndex = (payload: Buffer): number => (payload.length >= 8 ? payload.readInt32LE(4) : 0);
