import { describe, expect, it } from 'vitest';
import {
  align4,
  attr,
  attrIpv4,
  attrString,
  attrStringValue,
  attrU32,
  ifinfoIndex,
  ifinfomsg,
  message,
  nested,
  parseAck,
  parseAttrs,
  parsePrefix,
  splitMessages,
} from './netlink.codec.js';
import { NLM_F_ACK_TLVS, NLM_F_CAPPED } from './netlink.constants.js';

const hex = (b: Buffer): string => b.toString('hex');

describe('netlink attributes', () => {
  it('pads values to 4 bytes but records the unpadded length', () => {
    expect(hex(attrString(3, 'eth0'))).toBe('0900' + '0300' + '6574683000' + '000000');
    expect(hex(attrU32(4, 1500))).toBe('0800' + '0400' + 'dc050000');
    expect(hex(attrIpv4(1, '10.5.0.9'))).toBe('0800' + '0100' + '0a050009');
    expect(align4(9)).toBe(12);
  });

  it('nests attributes and reads them back by type, masking the flag bits', () => {
    const inner = [attrString(1, 'veth'), attr(2, Buffer.from([1, 2, 3]))];
    const outer = nested(18, inner);
    const top = parseAttrs(outer);
    const children = parseAttrs(top.get(18)!);
    expect(attrStringValue(children.get(1))).toBe('veth');
    expect([...children.get(2)!]).toEqual([1, 2, 3]);
    const flagged = attr(0x8000 | 18, Buffer.alloc(0));
    expect([...parseAttrs(flagged).keys()]).toEqual([18]);
  });

  it('stops at a truncated attribute instead of reading past the block', () => {
    const whole = Buffer.concat([attrU32(1, 7), attrU32(2, 8)]);
    expect([...parseAttrs(whole.subarray(0, 10)).keys()]).toEqual([1]);
  });
});

describe('netlink messages', () => {
  it('writes the header (length, type, flags, seq, port 0) and round-trips through splitMessages', () => {
    const one = message({ type: 16, flags: 0x605, seq: 42 }, [ifinfomsg({ index: 7, flags: 1, change: 1 })]);
    expect(hex(one.subarray(0, 16))).toBe('20000000' + '1000' + '0506' + '2a000000' + '00000000');
    const two = message({ type: 18, flags: 5, seq: 43 }, [ifinfomsg(), attrString(3, 'lo')]);
    const parsed = splitMessages(Buffer.concat([one, two]));
    expect(parsed.map(({ type, flags, seq }) => ({ type, flags, seq }))).toEqual([
      { type: 16, flags: 0x605, seq: 42 },
      { type: 18, flags: 5, seq: 43 },
    ]);
    expect(ifinfoIndex(parsed[0].payload)).toBe(7);
    expect(attrStringValue(parseAttrs(parsed[1].payload.subarray(16)).get(3))).toBe('lo');
  });

  it('drops a message whose length runs past the datagram', () => {
    const one = message({ type: 2, flags: 0, seq: 1 }, [Buffer.alloc(4)]);
    expect(splitMessages(Buffer.concat([one, one.subarray(0, 12)]))).toHaveLength(1);
  });
});

describe('parseAck', () => {
  const errorPayload = (errno: number, echoed: Buffer, tlvs: Buffer[] = []): Buffer => {
    const code = Buffer.alloc(4);
    code.writeInt32LE(-errno, 0);
    return Buffer.concat([code, echoed, ...tlvs]);
  };
  const request = message({ type: 16, flags: 5, seq: 9 }, [ifinfomsg(), attrString(3, 'nosuchdev')]);

  it('reads success as errno 0', () => {
    expect(parseAck(errorPayload(0, request.subarray(0, 16)), 0)).toEqual({ errno: 0 });
  });

  it('reads a negative error as a positive errno without an explanation', () => {
    expect(parseAck(errorPayload(19, request), 0)).toEqual({ errno: 19 });
  });

  it('finds the kernel explanation after a capped echo', () => {
    const payload = errorPayload(22, request.subarray(0, 16), [
      attrString(1, 'Invalid prefix for given prefix length'),
    ]);
    expect(parseAck(payload, NLM_F_CAPPED | NLM_F_ACK_TLVS)).toEqual({
      errno: 22,
      detail: 'Invalid prefix for given prefix length',
    });
  });

  it('finds the kernel explanation after a full echo of the request', () => {
    const payload = errorPayload(17, request, [attrString(1, 'exists')]);
    expect(parseAck(payload, NLM_F_ACK_TLVS)).toEqual({ errno: 17, detail: 'exists' });
  });
});

describe('parsePrefix', () => {
  it('understands default, bare addresses and prefixes', () => {
    expect(parsePrefix('default')).toEqual({ ip: '0.0.0.0', len: 0 });
    expect(parsePrefix('10.5.0.9')).toEqual({ ip: '10.5.0.9', len: 32 });
    expect(parsePrefix('10.96.0.0/12')).toEqual({ ip: '10.96.0.0', len: 12 });
  });

  it('refuses what is not an IPv4 prefix', () => {
    for (const bad of ['10.5.0.256', '10.5.0', '10.5.0.9/33', '10.5.0.9/', 'fe80::1', '10.5.0.9/1x']) {
      expect(() => parsePrefix(bad), bad).toThrow(RangeError);
    }
  });
});
