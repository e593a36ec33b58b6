// What only the netlink adapter has to prove on real namespaces: it leaves the kernel exactly as `ip -batch`
// does, it never holds up the event loop while the kernel is busy, concurrent applies on the one host socket
// get their own replies, and a refused request is reported with the kernel's own reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab } from '../dataplane/testing/netns-lab.js';
import { IprouteKernelAdapter } from './iproute-kernel.adapter.js';
import { HOST_NS, podNs, type NsTarget } from './kernel.port.js';
import { NetlinkKernelAdapter } from './netlink-kernel.adapter.js';
import { type NetOp } from './net-op.js';

const lab = new NetnsLab();
const adapters: NetlinkKernelAdapter[] = [];

afterAll(async () => {
  adapters.forEach((a) => a.close());
  await lab.cleanup();
});

const netlinkFor = (hostNetns: string): NetlinkKernelAdapter => {
  const adapter = NetlinkKernelAdapter.open(hostNetns);
  adapters.push(adapter);
  return adapter;
};

/** Host and pod sides of a pod, an ENI table, a NIC that moves and comes back: every `ip` operation kind. */
function everyIpOperation(pod: string): { host: NetOp[]; pod: NetOp[]; back: NetOp[] } {
  const podTarget = podNs(`/var/run/netns/${pod}`);
  return {
    host: [
      {
        kind: 'veth-add',
        name: 'iplv1',
        mac: '02:aa:00:00:00:01',
        mtu: 1450,
        peer: { name: 'eth0', mac: '02:bb:00:00:00:02', netns: podTarget },
      },
      { kind: 'link-up', dev: 'iplv1' },
      { kind: 'route-replace', dst: '10.6.0.9/32', dev: 'iplv1', scope: 'link' },
      { kind: 'rule-add', priority: 512, to: '10.6.0.9', table: 254 },
      { kind: 'rule-add', priority: 2048, from: '10.6.0.9', table: 1003 },
      { kind: 'ifb-add', name: 'iplb1', mtu: 1450 },
      { kind: 'link-up', dev: 'iplb1' },
      { kind: 'veth-add', name: 'nic1', peer: { name: 'nic1p' } },
      { kind: 'link-up', dev: 'nic1' },
      { kind: 'route-replace', dst: 'default', via: '10.6.1.253', dev: 'nic1', onlink: true, table: 1003 },
      { kind: 'addr-replace', dev: 'nic1p', cidr: '10.6.1.7/24' },
      { kind: 'link-alias', dev: 'nic1p', alias: 'ipledger:home=nic1p' },
      { kind: 'link-move', dev: 'nic1p', netns: podTarget, newName: 'eth1' },
      // There and back, so that a second run finds the same names: a rename is not idempotent.
      { kind: 'link-rename', dev: 'iplb1', newName: 'iplb2' },
      { kind: 'link-alias', dev: 'iplb2', alias: 'renamed' },
      { kind: 'link-rename', dev: 'iplb2', newName: 'iplb1' },
      { kind: 'neigh-replace', dev: 'iplv1', ip: '10.6.0.9', mac: '02:bb:00:00:00:02' },
    ],
    pod: [
      { kind: 'link-up', dev: 'lo' },
      { kind: 'link-up', dev: 'eth0' },
      { kind: 'neigh-replace', dev: 'eth0', ip: '169.254.1.1', mac: '02:aa:00:00:00:01' },
      { kind: 'route-replace', dst: 'default', via: '169.254.1.1', dev: 'eth0', onlink: true },
      { kind: 'addr-replace', dev: 'eth0', cidr: '10.6.0.9/32' },
      { kind: 'link-up', dev: 'eth1' },
      { kind: 'route-replace', dst: '10.96.0.0/12', via: '169.254.1.1', dev: 'eth0', onlink: true },
    ],
    back: [
      { kind: 'link-down', dev: 'eth1' },
      { kind: 'link-move', dev: 'eth1', netns: HOST_NS, newName: 'nic1p' },
    ],
  };
}

/** `ip` output of a namespace without what differs between two namespaces set up alike (indexes, ids, ages). */
async function kernelState(netns: string): Promise<string> {
  const shows = [
    ['-d', 'link', 'show'],
    ['-4', 'addr', 'show'],
    ['-4', '-d', 'route', 'show', 'table', 'all'],
    ['-4', 'rule', 'show'],
    ['-4', 'neigh', 'show'],
  ];
  const outputs = await Promise.all(shows.map((args) => lab.must('ip', ['-n', netns, ...args])));
  return (
    outputs
      .join('\n')
      .replace(/^\d+: /gm, '')
      .replace(/@if\d+/g, '@if')
      .replace(/link-netns(id)? \S+/g, 'link-netns')
      .replace(
        / (numtxqueues|numrxqueues|gso_max_\w+|gro_max_\w+|tso_max_\w+|gso_ipv4_max_\w+|gro_ipv4_max_\w+) \d+/g,
        '',
      )
      // The operational state follows the admin state asynchronously (linkwatch), so it may lag either way;
      // so do the carrier flags.
      .replace(/ state [A-Z]+ mode/g, ' mode')
      .replace(/NO-CARRIER,|,LOWER_UP/g, '')
      // Devices the operations give no MAC (the ifb, the simulated NIC) get a random one.
      .replace(/link\/ether (?!02:)\S+/g, 'link/ether random')
      .replace(/valid_lft \S+ preferred_lft \S+/g, '')
      .replace(/ (REACHABLE|STALE|DELAY|PROBE|FAILED|INCOMPLETE|NOARP)$/gm, '')
  );
}

describe('NetlinkKernelAdapter', () => {
  let nodeA: string;
  let podNsA: string;
  let nodeB: string;
  let podNsB: string;

  beforeAll(async () => {
    [nodeA, podNsA, nodeB, podNsB] = await Promise.all(['eqna', 'eqpa', 'eqnb', 'eqpb'].map((p) => lab.addNetns(p)));
  });

  it('leaves the kernel in the same state as ip -batch, for every ip operation', async () => {
    const iproute = new IprouteKernelAdapter(nodeA);
    const netlink = netlinkFor(nodeB);
    const podA = podNs(`/var/run/netns/${podNsA}`);
    const podB = podNs(`/var/run/netns/${podNsB}`);
    const opsA = everyIpOperation(podNsA);
    const opsB = everyIpOperation(podNsB);
    const same = async (): Promise<void> => {
      expect(await kernelState(nodeB)).toBe(await kernelState(nodeA));
      expect(await kernelState(podNsB)).toBe(await kernelState(podNsA));
    };
    await iproute.apply(HOST_NS, opsA.host);
    await iproute.apply(podA, opsA.pod);
    await netlink.apply(HOST_NS, opsB.host);
    await netlink.apply(podB, opsB.pod);
    await same();
    expect(await kernelState(podNsB)).toContain(
      'unicast 10.96.0.0/12 via 169.254.1.1 dev eth0 table main proto boot scope global onlink',
    );
    expect(await kernelState(podNsB)).toContain('eth1@if: <BROADCAST,MULTICAST,UP>');

    await iproute.apply(podA, opsA.back);
    await netlink.apply(podB, opsB.back);
    await same();
    expect(await kernelState(nodeB)).toContain('alias ipledger:home=nic1p');

    // The whole setup again over what is left: every add meets what exists, and ends the same way.
    await iproute.apply(HOST_NS, opsA.host);
    await iproute.apply(podA, opsA.pod);
    await netlink.apply(HOST_NS, opsB.host);
    await netlink.apply(podB, opsB.pod);
    await same();
  });

  it('keeps the event loop turning while the kernel deletes devices', async () => {
    const node = await lab.addNetns('loop');
    const kernel = netlinkFor(node);
    const names = Array.from({ length: 40 }, (_, i) => `ipll${i}`);
    await kernel.apply(
      HOST_NS,
      names.map((name) => ({ kind: 'veth-add', name, peer: { name: `${name}p` } })),
    );
    let last = performance.now();
    let longestGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 1);
    const started = performance.now();
    // One datagram: the kernel deletes all forty inside a single send(), waiting for each device to go.
    await kernel.apply(
      HOST_NS,
      names.map((dev) => ({ kind: 'link-del', dev })),
    );
    const took = performance.now() - started;
    clearInterval(timer);
    expect((await kernel.read(HOST_NS, ['links'])).links.map((l) => l.name)).toEqual(['lo']);
    // A send on the main thread would show up as one gap as long as the whole apply.
    expect(ticks).toBeGreaterThan(3);
    expect(longestGap).toBeLessThan(Math.max(took / 2, 5));
  });

  it('gives each of many concurrent applies on the host socket its own replies', async () => {
    const node = await lab.addNetns('conc');
    const kernel = netlinkFor(node);
    const priorities = Array.from({ length: 30 }, (_, i) => 3000 + i);
    const rules = (kind: 'rule-add' | 'rule-del'): Promise<void>[] =>
      priorities.map((priority) =>
        kernel.apply(HOST_NS, [{ kind, priority, from: `10.7.0.${priority - 2999}`, table: 1001 }]),
      );
    await Promise.all(rules('rule-add'));
    // A second round of adds is all EEXIST: each must come back benign, none lost or crossed.
    await Promise.all(rules('rule-add'));
    const snapshot = await kernel.read(HOST_NS, ['rules']);
    const ours = (rules: { priority: number }[]) => rules.filter((r) => r.priority >= 3000 && r.priority < 3100);
    expect(ours(snapshot.rules).map((r) => r.priority)).toEqual(priorities);
    const failing = kernel.apply(HOST_NS, [{ kind: 'link-up', dev: 'nosuchdev' }]);
    await Promise.all([...rules('rule-del'), expect(failing).rejects.toThrow(/nosuchdev.*ENODEV/)]);
    expect(ours((await kernel.read(HOST_NS, ['rules'])).rules)).toEqual([]);
  });

  it('reports a refused request with the operation, the errno and the kernel’s reason', async () => {
    const node = await lab.addNetns('refuse');
    const kernel = netlinkFor(node);
    await kernel.apply(HOST_NS, [
      { kind: 'veth-add', name: 'iplr1', peer: { name: 'iplr1p' } },
      { kind: 'link-up', dev: 'iplr1' },
    ]);
    const target: NsTarget = HOST_NS;
    await expect(
      kernel.apply(target, [{ kind: 'route-replace', dst: '10.8.0.0/16', via: '10.200.0.1', dev: 'iplr1' }]),
    ).rejects.toThrow(
      new RegExp(
        `^netlink in host\\(${node}\\): "route replace 10.8.0.0/16 via 10.200.0.1 dev iplr1" failed: ` +
          'ENETUNREACH \\(network is unreachable\\): Nexthop has invalid gateway',
      ),
    );
  });

  it('fails a pod apply whose namespace is gone before sending anything', async () => {
    const node = await lab.addNetns('gone');
    const kernel = netlinkFor(node);
    await expect(
      kernel.apply(podNs(`/var/run/netns/${lab.name('never')}`), [{ kind: 'link-up', dev: 'lo' }]),
    ).rejects.toThrow(/stopped: cannot open network namespace \/var\/run\/netns\/ipl-never-\w+: ENOENT/);
  });
});
