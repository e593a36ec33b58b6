// The kernel adapters on real namespaces, each implementation through the same cases: a "node" namespace plays
// the host (as in the simulation) and a "pod" namespace plays a sandbox, once by name and once by a /proc path
// (which only nsenter, or setns, can enter).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab } from '../dataplane/testing/netns-lab.js';
import { KERNEL_IMPLEMENTATIONS, openKernel, type KernelImplementation } from './kernel.factory.js';
import { HOST_NS, podNs, type KernelPort } from './kernel.port.js';
import { withRollback } from './kernel-rollback.js';
import { type NetOp } from './net-op.js';

/** What each implementation says when a device is missing: iproute2 resolves the name itself, netlink asks the kernel. */
const MISSING_DEVICE: Record<KernelImplementation, RegExp> = {
  iproute: /link set dev nosuchdev up.*Cannot find device/,
  netlink: /netlink in host\(ipl-knode-\w+\): "link set dev nosuchdev up" failed: ENODEV/,
};

describe.each(KERNEL_IMPLEMENTATIONS)('KernelPort on %s', (implementation) => {
  const lab = new NetnsLab();
  let node: string;
  let pod: string;
  let kernel: KernelPort;
  let holder: ChildProcess;

  const pair = (name: string, peerNetns: string): NetOp => ({
    kind: 'veth-add',
    name,
    mac: '02:aa:00:00:00:01',
    peer: { name: 'eth0', netns: podNs(peerNetns) },
  });

  beforeAll(async () => {
    node = await lab.addNetns('knode');
    pod = await lab.addNetns('kpod');
    kernel = openKernel(implementation, node);
  });

  afterAll(async () => {
    holder?.kill('SIGKILL');
    await lab.cleanup();
  });

  it('applies a setup twice and a teardown twice without error', async () => {
    const setup: NetOp[] = [
      pair('iplk1', `/var/run/netns/${pod}`),
      { kind: 'link-up', dev: 'iplk1' },
      { kind: 'route-replace', dst: '10.5.0.9/32', dev: 'iplk1', scope: 'link' },
      { kind: 'rule-add', priority: 512, to: '10.5.0.9', table: 254 },
      { kind: 'ifb-add', name: 'ipbk1' },
      { kind: 'tbf-replace', dev: 'iplk1', rateBps: 1e6, burstBytes: 5000, latencyMs: 25 },
    ];
    await kernel.apply(HOST_NS, setup);
    await kernel.apply(HOST_NS, setup);
    const snap = await kernel.read(HOST_NS);
    expect(snap.links.find((l) => l.name === 'iplk1')).toMatchObject({
      up: true,
      kind: 'veth',
      mac: '02:aa:00:00:00:01',
    });
    expect(snap.rules.filter((r) => r.priority === 512)).toEqual([{ priority: 512, to: '10.5.0.9', table: 254 }]);
    expect(await kernel.qdiscs(HOST_NS)).toContainEqual(
      expect.objectContaining({ dev: 'iplk1', kind: 'tbf', rateBps: 1e6 }),
    );
    const teardown: NetOp[] = [
      { kind: 'rule-del', priority: 512, to: '10.5.0.9' },
      { kind: 'link-del', dev: 'iplk1' },
      { kind: 'link-del', dev: 'ipbk1' },
      { kind: 'qdisc-del', dev: 'iplk1', parent: 'root' },
      { kind: 'neigh-del', dev: 'iplk1', ip: '169.254.1.1' },
    ];
    await kernel.apply(HOST_NS, teardown);
    await kernel.apply(HOST_NS, teardown);
    const after = await kernel.read(HOST_NS, ['links', 'rules']);
    expect(after.links.map((l) => l.name)).toEqual(['lo']);
    expect(after.rules.filter((r) => r.priority === 512)).toEqual([]);
  });

  it('throws with the failing command when an operation really fails', async () => {
    await expect(kernel.apply(HOST_NS, [{ kind: 'link-up', dev: 'nosuchdev' }])).rejects.toThrow(
      MISSING_DEVICE[implementation],
    );
    await expect(kernel.apply(HOST_NS, [pair('iplk2', '/var/run/netns/ipl-nowhere')])).rejects.toThrow(/netns/);
  });

  it('still attempts the operations after a failed one, then reports the failure', async () => {
    const attempt = kernel.apply(HOST_NS, [
      { kind: 'link-up', dev: 'nosuchdev' },
      { kind: 'rule-add', priority: 777, from: '10.5.0.7', table: 1002 },
    ]);
    await expect(attempt).rejects.toThrow(MISSING_DEVICE[implementation]);
    const rules = (await kernel.read(HOST_NS, ['rules'])).rules.filter((r) => r.priority === 777);
    expect(rules).toEqual([{ priority: 777, from: '10.5.0.7', table: 1002 }]);
    await kernel.apply(HOST_NS, [{ kind: 'rule-del', priority: 777, from: '10.5.0.7' }]);
  });

  it('rolls back the steps registered before a failure', async () => {
    const attempt = withRollback(kernel, async (rollback) => {
      rollback.undo(HOST_NS, [{ kind: 'link-del', dev: 'iplk3' }]);
      await kernel.apply(HOST_NS, [pair('iplk3', `/var/run/netns/${pod}`)]);
      rollback.undo(HOST_NS, [{ kind: 'rule-del', priority: 2048, from: '10.5.0.3' }]);
      await kernel.apply(HOST_NS, [{ kind: 'rule-add', priority: 2048, from: '10.5.0.3', table: 1002 }]);
      await kernel.apply(HOST_NS, [{ kind: 'link-up', dev: 'nosuchdev' }]);
    });
    await expect(attempt).rejects.toThrow(/nosuchdev/);
    const snap = await kernel.read(HOST_NS, ['links', 'rules']);
    expect(snap.links.map((l) => l.name)).toEqual(['lo']);
    expect(snap.rules.filter((r) => r.priority === 2048)).toEqual([]);
    expect((await kernel.read(podNs(pod), ['links'])).links.map((l) => l.name)).toEqual(['lo']);
  });

  it('reaches a sandbox known only by a /proc path', async () => {
    holder = spawn('ip', ['netns', 'exec', pod, 'sleep', '60'], { stdio: 'ignore' });
    const path = `/proc/${holder.pid}/ns/net`;
    // Until `ip netns exec` has switched, the path still names the root namespace: never touch that one.
    await expect.poll(() => statSync(path).ino, { timeout: 5000 }).toBe(statSync(`/run/netns/${pod}`).ino);
    await kernel.apply(HOST_NS, [pair('iplk4', path), { kind: 'link-up', dev: 'iplk4' }]);
    await kernel.apply(podNs(path), [{ kind: 'addr-replace', dev: 'eth0', cidr: '10.5.0.4/32' }]);
    const inPod = await kernel.read(podNs(pod), ['addresses']);
    expect(inPod.addresses).toContainEqual({ dev: 'eth0', ip: '10.5.0.4', prefix: 32 });
    expect(await kernel.netnsExists(podNs(path))).toBe(true);
    expect(await kernel.netnsExists(podNs('/var/run/netns/ipl-nowhere'))).toBe(false);
    await kernel.apply(HOST_NS, [{ kind: 'link-del', dev: 'iplk4' }]);
  });

  it('writes and reads sysctls inside the node namespace only', async () => {
    await kernel.writeSysctls(HOST_NS, { 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.rp_filter': '0' });
    expect(await kernel.readSysctls(HOST_NS, ['net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter'])).toEqual({
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.rp_filter': '0',
    });
    await kernel.writeSysctls(HOST_NS, { 'net.ipv4.ip_forward': '0' });
    expect(await kernel.readSysctls(HOST_NS, ['net.ipv4.ip_forward'])).toEqual({ 'net.ipv4.ip_forward': '0' });

    // The opposite of this process's own value goes in, and its own namespace keeps its value.
    const own = readFileSync('/proc/sys/net/ipv4/conf/all/accept_local', 'utf8').trim();
    const other = own === '1' ? '0' : '1';
    await kernel.writeSysctls(HOST_NS, { 'net.ipv4.conf.all.accept_local': other });
    expect(await kernel.readSysctls(HOST_NS, ['net.ipv4.conf.all.accept_local'])).toEqual({
      'net.ipv4.conf.all.accept_local': other,
    });
    expect(readFileSync('/proc/sys/net/ipv4/conf/all/accept_local', 'utf8').trim()).toBe(own);
    await expect(kernel.writeSysctls(HOST_NS, { 'net.ipv4.conf.nosuchdev.rp_filter': '0' })).rejects.toThrow(
      /nosuchdev/,
    );
  });

  it('runs nft scripts inside a pod namespace', async () => {
    await kernel.nft(
      podNs(pod),
      'table inet ipledger { chain input_filter { type filter hook input priority 0; policy accept; }; }\n',
    );
    expect(await kernel.nft(podNs(pod), 'list tables\n')).toContain('table inet ipledger');
  });
});
