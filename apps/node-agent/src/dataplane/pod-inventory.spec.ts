import { describe, expect, it } from 'vitest';
import { type KernelPort, type NetOp, type NetSnapshot } from '../kernel/index.js';
import { homeName } from './exclusive-eni.dataplane.js';
import { PodInventory } from './pod-inventory.js';
import { podNames } from './pod-naming.js';

const link = (index: number, name: string) => ({ index, name, mac: '02:00:00:00:00:01', mtu: 1500, up: true });

/** Our own port, faked: a fixed host snapshot, and a record of what was applied. */
function fakeKernel(snapshot: Partial<NetSnapshot>): { kernel: KernelPort; applied: NetOp[] } {
  const applied: NetOp[] = [];
  const full: NetSnapshot = { links: [], addresses: [], routes: [], rules: [], neighbours: [], ...snapshot };
  const kernel = {
    hostNetns: 'node',
    read: () => Promise.resolve(full),
    apply: (_target: unknown, ops: readonly NetOp[]) => {
      applied.push(...ops);
      return Promise.resolve();
    },
  } as unknown as KernelPort;
  return { kernel, applied };
}

describe('PodInventory', () => {
  const a = podNames('container-a');
  const b = podNames('container-b');

  it('groups each pod’s veth, ifb, routes and rules by key, and keeps rules of vanished pods apart', async () => {
    const { kernel } = fakeKernel({
      links: [link(1, 'lo'), link(2, 'eth1'), link(7, a.hostVeth), link(8, a.ifb), link(9, b.ifb)],
      routes: [
        { dst: '10.0.0.5', dev: a.hostVeth, table: 254, onlink: false },
        { dst: 'default', dev: 'eth1', gateway: '10.0.0.253', table: 1002, onlink: true },
      ],
      rules: [
        { priority: 0, table: 255 },
        { priority: 512, to: '10.0.0.5', table: 254 },
        { priority: 2048, from: '10.0.0.5', table: 1002 },
        { priority: 2048, from: '10.0.0.6', table: 1002 },
      ],
    });
    const listed = await new PodInventory(kernel).list();
    expect(listed.pods).toEqual([
      {
        key: a.key,
        hostVeth: a.hostVeth,
        ifb: a.ifb,
        ips: ['10.0.0.5'],
        rules: [
          { priority: 512, to: '10.0.0.5', table: 254 },
          { priority: 2048, from: '10.0.0.5', table: 1002 },
        ],
      },
      { key: b.key, hostVeth: null, ifb: b.ifb, ips: [], rules: [] },
    ]);
    expect(listed.strayRules).toEqual([{ priority: 2048, from: '10.0.0.6', table: 1002 }]);
  });

  it('removes an observed pod by its names and rules', async () => {
    const { kernel, applied } = fakeKernel({});
    await new PodInventory(kernel).remove({
      key: a.key,
      hostVeth: null,
      ifb: a.ifb,
      ips: [],
      rules: [{ priority: 2048, from: '10.0.0.5', table: 1002 }],
    });
    expect(applied).toEqual([
      { kind: 'rule-del', priority: 2048, from: '10.0.0.5', to: undefined, table: 1002 },
      { kind: 'link-del', dev: a.hostVeth },
      { kind: 'link-del', dev: a.ifb },
    ]);
  });
});

describe('homeName', () => {
  it('takes the name recorded in the alias, or a stable one made from the MAC', () => {
    expect(homeName({ alias: 'ipledger:home=eth2', mac: '00:16:3e:00:00:01' })).toBe('eth2');
    expect(homeName({ alias: undefined, mac: '00:16:3E:00:00:01' })).toBe('eni00163e000001');
  });
});
