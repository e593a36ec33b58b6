import { describe, expect, it } from 'vitest';
import { type CniResult, type IpledgerNetConf } from '@ipledger/proto';
import { finalizeAddResult } from './cni-add-result.js';

const own: CniResult = {
  cniVersion: 'whatever-the-handler-said',
  interfaces: [{ name: 'veth1a2b' }, { name: 'eth0', sandbox: '/run/netns/p' }],
  ips: [{ address: '10.1.0.4/32', gateway: '169.254.1.1', interface: 1 }],
  routes: [{ dst: '0.0.0.0/0', gw: '169.254.1.1' }],
};
const netconf = (extra: Partial<IpledgerNetConf> = {}): IpledgerNetConf => ({
  cniVersion: '1.0.0',
  name: 'ipledger',
  type: 'ipledger-cni',
  ...extra,
});

describe('finalizeAddResult', () => {
  it('answers in the config version when there is no previous result', () => {
    expect(finalizeAddResult(netconf(), own)).toEqual({ ...own, cniVersion: '1.0.0' });
  });

  it('puts the previous result first and shifts our interface indexes past its interfaces', () => {
    const prevResult: CniResult = {
      cniVersion: '1.0.0',
      interfaces: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
      ips: [{ address: '192.0.2.1/24', interface: 2 }, { address: '192.0.2.2/24' }],
      routes: [{ dst: '192.0.2.0/24' }],
      dns: { nameservers: ['192.0.2.53'] },
    };
    expect(finalizeAddResult(netconf({ prevResult }), { ...own, dns: { search: ['svc.local'] } })).toEqual({
      cniVersion: '1.0.0',
      interfaces: [...prevResult.interfaces!, ...own.interfaces!],
      ips: [...prevResult.ips!, { ...own.ips![0], interface: 4 }],
      routes: [...prevResult.routes!, ...own.routes!],
      dns: { search: ['svc.local'] },
    });
  });

  it('keeps the previous DNS when we have none and leaves out empty lists', () => {
    const prevResult: CniResult = { cniVersion: '1.0.0', dns: { nameservers: ['1.1.1.1'] } };
    expect(finalizeAddResult(netconf({ prevResult }), { cniVersion: 'x' })).toEqual({
      cniVersion: '1.0.0',
      dns: { nameservers: ['1.1.1.1'] },
    });
  });
});
