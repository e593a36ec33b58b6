import { describe, expect, it } from 'vitest';
import {
  parseJsonLines,
  parseLinks,
  parseQdiscs,
  parseRedirectTargets,
  parseRoutes,
  parseRules,
} from './ip-json.parser.js';

describe('ip -j parsing', () => {
  it('keeps kind, alias, master and the UP flag of links', () => {
    const [link] = parseLinks([
      {
        ifindex: 7,
        ifname: 'eth0',
        address: '00:16:3e:00:00:01',
        mtu: 1500,
        flags: ['BROADCAST', 'UP'],
        ifalias: 'ipledger:home=eth2',
        linkinfo: { info_kind: 'veth' },
      },
    ]);
    expect(link).toEqual({
      index: 7,
      name: 'eth0',
      mac: '00:16:3e:00:00:01',
      mtu: 1500,
      up: true,
      kind: 'veth',
      alias: 'ipledger:home=eth2',
      master: undefined,
    });
  });

  it('numbers route tables and drops IPv6 routes', () => {
    const routes = parseRoutes([
      { dst: 'default', gateway: '10.0.0.253', dev: 'eth1', table: '1003', flags: ['onlink'] },
      { dst: '10.0.0.5', dev: 'ipl1', scope: 'link', flags: [] },
      { dst: '10.0.0.1', dev: 'eth1', table: 'local', type: 'local' },
      { dst: 'fe80::/64', dev: 'eth1' },
    ]);
    expect(routes.map((r) => [r.dst, r.table, r.onlink])).toEqual([
      ['default', 1003, true],
      ['10.0.0.5', 254, false],
      ['10.0.0.1', 255, false],
    ]);
  });

  it('reads rule selectors with their prefix length', () => {
    expect(
      parseRules([
        { priority: 512, src: 'all', dst: '10.0.0.5', table: 'main' },
        { priority: 2048, src: '10.2.0.0', srclen: 24, table: '1003' },
      ]),
    ).toEqual([
      { priority: 512, from: undefined, to: '10.0.0.5', table: 254 },
      { priority: 2048, from: '10.2.0.0/24', to: undefined, table: 1003 },
    ]);
  });

  it('converts tbf rates from bytes to bits per second and finds mirred redirects', () => {
    expect(
      parseQdiscs([{ kind: 'tbf', handle: '1:', dev: 'ipl1', root: true, options: { rate: 1250000, burst: 5000 } }]),
    ).toEqual([{ dev: 'ipl1', kind: 'tbf', handle: '1:', root: true, rateBps: 10_000_000, burstBytes: 5000 }]);
    expect(
      parseRedirectTargets([
        { kind: 'u32' },
        { kind: 'u32', options: { actions: [{ kind: 'mirred', mirred_action: 'redirect', to_dev: 'ipb1' }] } },
      ]),
    ).toEqual(['ipb1']);
  });

  it('splits batch output into one document per show command and notices a missing one', () => {
    expect(parseJsonLines('[]\n[{"a":1}]\n', 2)).toEqual([[], [{ a: 1 }]]);
    expect(() => parseJsonLines('[]\n', 2)).toThrow(/expected 2/);
  });
});
