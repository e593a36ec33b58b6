import { describe, expect, it } from 'vitest';
import { type NsTarget } from './kernel.port.js';
import { isBenignFailure, toolOf, type NetOp } from './net-op.js';
import { renderOp } from './net-op.renderer.js';

const netnsArg = (target: NsTarget): string => (target.kind === 'host' ? 'node-1' : target.netns);

describe('renderOp', () => {
  it('creates a veth whose peer lands in the pod namespace with fixed MACs', () => {
    const op: NetOp = {
      kind: 'veth-add',
      name: 'ipl0123456789a',
      mac: '02:00:00:00:00:01',
      mtu: 1500,
      peer: { name: 'eth0', mac: '02:00:00:00:00:02', netns: { kind: 'pod', netns: '/var/run/netns/p1' } },
    };
    expect(renderOp(op, netnsArg)).toEqual([
      'link add ipl0123456789a address 02:00:00:00:00:01 mtu 1500 type veth peer name eth0 address 02:00:00:00:00:02 mtu 1500 netns /var/run/netns/p1',
    ]);
  });

  it('writes policy rules and onlink routes in iproute2 syntax', () => {
    expect(renderOp({ kind: 'rule-add', priority: 2048, from: '10.0.0.5', table: 1003 }, netnsArg)).toEqual([
      'rule add from 10.0.0.5 lookup 1003 priority 2048',
    ]);
    expect(renderOp({ kind: 'rule-del', priority: 512, to: '10.0.0.5' }, netnsArg)).toEqual([
      'rule del to 10.0.0.5 priority 512',
    ]);
    expect(
      renderOp(
        { kind: 'route-replace', dst: 'default', via: '10.0.0.253', dev: 'eth1', onlink: true, table: 1003 },
        netnsArg,
      ),
    ).toEqual(['route replace default via 10.0.0.253 dev eth1 onlink table 1003']);
  });

  it('moves a link to the host namespace under a new name', () => {
    expect(renderOp({ kind: 'link-move', dev: 'eth0', netns: { kind: 'host' }, newName: 'eth2' }, netnsArg)).toEqual([
      'link set dev eth0 netns node-1 name eth2',
    ]);
  });

  it('deletes a neighbour with flush, which does not end a batch when the entry is gone', () => {
    expect(renderOp({ kind: 'neigh-del', dev: 'eth0', ip: '169.254.1.1' }, netnsArg)).toEqual([
      'neigh flush to 169.254.1.1 dev eth0 nud permanent',
    ]);
  });

  it('renders an ingress redirect as a qdisc plus a replaceable match-all filter', () => {
    const lines = renderOp({ kind: 'ingress-redirect', dev: 'ipl1', to: 'ipb1' }, netnsArg);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('filter replace dev ipl1 parent ffff: protocol all prio 1 handle 800::800 u32');
    expect(lines[1]).toContain('action mirred egress redirect dev ipb1');
  });

  it('renders a token bucket with rate in bits and burst in bytes', () => {
    expect(
      renderOp({ kind: 'tbf-replace', dev: 'ipl1', rateBps: 10_000_000, burstBytes: 5000, latencyMs: 25 }, netnsArg),
    ).toEqual(['qdisc replace dev ipl1 root handle 1: tbf rate 10000000bit burst 5000 latency 25ms']);
  });

  it('refuses values that would change the batch line', () => {
    expect(() => renderOp({ kind: 'link-up', dev: 'eth0\nlink del eth1' }, netnsArg)).toThrow(/unsafe/);
    expect(() => renderOp({ kind: 'link-alias', dev: 'eth0', alias: 'a b' }, netnsArg)).toThrow(/unsafe/);
    expect(() => renderOp({ kind: 'link-up', dev: 'eth0#' }, netnsArg)).toThrow(/unsafe/);
  });
});

describe('idempotency of operations', () => {
  it('treats "exists" as success only for adds and "not found" only for deletes', () => {
    expect(
      isBenignFailure(
        { kind: 'rule-add', priority: 512, to: '10.0.0.1', table: 254 },
        'RTNETLINK answers: File exists',
      ),
    ).toBe(true);
    expect(isBenignFailure({ kind: 'link-del', dev: 'x' }, 'Cannot find device "x"')).toBe(true);
    expect(
      isBenignFailure(
        { kind: 'qdisc-del', dev: 'x', parent: 'root' },
        'Error: Cannot delete qdisc with handle of zero.',
      ),
    ).toBe(true);
    expect(isBenignFailure({ kind: 'link-up', dev: 'x' }, 'Cannot find device "x"')).toBe(false);
    expect(isBenignFailure({ kind: 'link-del', dev: 'x' }, 'RTNETLINK answers: File exists')).toBe(false);
    expect(isBenignFailure({ kind: 'veth-add', name: 'a', peer: { name: 'b' } }, 'Error: Invalid "netns" value')).toBe(
      false,
    );
  });

  it('runs queueing operations through tc and the rest through ip', () => {
    expect(toolOf({ kind: 'tbf-replace', dev: 'a', rateBps: 8, burstBytes: 3000, latencyMs: 25 })).toBe('tc');
    expect(toolOf({ kind: 'ifb-add', name: 'ipb1' })).toBe('ip');
  });
});
