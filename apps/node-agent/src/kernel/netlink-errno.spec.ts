import { describe, expect, it } from 'vitest';
import { benignErrno, describeErrno, errnoName, isBenignErrno } from './netlink-errno.js';
import { isBenignFailure, type NetOp } from './net-op.js';

/** What `ip` prints for the situation in which the kernel answers a netlink request with this errno. */
const IP_SAYS: Record<number, string> = {
  1: 'RTNETLINK answers: Operation not permitted',
  2: 'RTNETLINK answers: No such file or directory',
  3: 'RTNETLINK answers: No such process',
  16: 'RTNETLINK answers: Device or resource busy',
  17: 'RTNETLINK answers: File exists',
  // ip looks names up itself before it sends anything, and says so in its own words.
  19: 'Cannot find device "ipl0123"',
  22: 'RTNETLINK answers: Invalid argument',
  34: 'RTNETLINK answers: Numerical result out of range',
  99: 'RTNETLINK answers: Cannot assign requested address',
  101: 'RTNETLINK answers: Network is unreachable',
};

const IP_OPS: NetOp[] = [
  { kind: 'veth-add', name: 'a', peer: { name: 'b' } },
  { kind: 'ifb-add', name: 'a' },
  { kind: 'link-up', dev: 'a' },
  { kind: 'link-down', dev: 'a' },
  { kind: 'link-rename', dev: 'a', newName: 'b' },
  { kind: 'link-alias', dev: 'a', alias: 'x' },
  { kind: 'link-move', dev: 'a', netns: { kind: 'host' } },
  { kind: 'link-del', dev: 'a' },
  { kind: 'addr-replace', dev: 'a', cidr: '10.0.0.1/32' },
  { kind: 'addr-del', dev: 'a', cidr: '10.0.0.1/32' },
  { kind: 'route-replace', dst: 'default', dev: 'a' },
  { kind: 'route-del', dst: '10.0.0.1/32' },
  { kind: 'rule-add', priority: 512, to: '10.0.0.1', table: 254 },
  { kind: 'rule-del', priority: 512, to: '10.0.0.1' },
  { kind: 'neigh-replace', dev: 'a', ip: '169.254.1.1', mac: '02:00:00:00:00:01' },
  { kind: 'neigh-del', dev: 'a', ip: '169.254.1.1' },
];

describe('isBenignErrno', () => {
  it.each(IP_OPS.map((op) => [op.kind, op] as const))('decides %s as isBenignFailure does for ip', (_, op) => {
    for (const [errno, message] of Object.entries(IP_SAYS)) {
      expect(isBenignErrno(op, Number(errno)), `${op.kind} / ${errnoName(Number(errno))}`).toBe(
        isBenignFailure(op, message),
      );
    }
  });

  it('accepts exactly "exists" on adds and "absent" on deletes', () => {
    expect(isBenignErrno({ kind: 'rule-add', priority: 1, table: 254 }, 17)).toBe(true);
    expect(isBenignErrno({ kind: 'rule-add', priority: 1, table: 254 }, 2)).toBe(false);
    expect(isBenignErrno({ kind: 'route-del', dst: '10.0.0.1' }, 3)).toBe(true);
    expect(isBenignErrno({ kind: 'route-del', dst: '10.0.0.1' }, 17)).toBe(false);
    expect(isBenignErrno({ kind: 'link-up', dev: 'a' }, 19)).toBe(false);
  });
});

describe('errno names', () => {
  it('names the errno first and explains it after', () => {
    expect(describeErrno(19)).toBe('ENODEV (no such device)');
    expect(errnoName(99)).toBe('EADDRNOTAVAIL');
    expect(describeErrno(4095)).toBe('errno 4095');
    expect(benignErrno(22)).toBeNull();
  });
});
