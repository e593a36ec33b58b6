// Pod bandwidth limits measured end to end: bounded TCP transfers between pods on two simulated nodes,
// through the simulated VPC. The only rate assertions: a 10 Mbit/s pod is held between 5 and 13 Mbit/s, an
// unlimited one exceeds 13 Mbit/s. Once per kernel implementation (netlink, iproute2), each in a lab of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_NS, KERNEL_IMPLEMENTATIONS, openKernel, podNs, type KernelPort } from '../kernel/index.js';
import { type ExclusiveEniPodSpec, type PolicyRoutePodSpec } from './dataplane.js';
import { EniPreparer } from './eni-preparer.js';
import { ExclusiveEniDataplane } from './exclusive-eni.dataplane.js';
import { PodInventory } from './pod-inventory.js';
import { podNames } from './pod-naming.js';
import { PolicyRouteDataplane } from './policy-route.dataplane.js';
import { NetnsLab } from './testing/netns-lab.js';
import { NetnsVpcFabric, addNode, eniSpec, vswitch, type LabNode } from './testing/vpc-lab.js';

const LIMIT = 10_000_000;
const CEILING = 13_000_000;
/** "Near" the limit: shaping must not starve the pod either (measured ≈ 9.5 Mbit/s here). */
const FLOOR = 5_000_000;
const BYTES = 3_000_000;
describe.each(KERNEL_IMPLEMENTATIONS)('pod bandwidth on the %s kernel', (implementation) => {
  const lab = new NetnsLab();
  const fabric = new NetnsVpcFabric({ netns: lab.name('vpc') });
  const vswA = vswitch('vsw-a', 1, 99);
  const vswB = vswitch('vsw-b', 2, 99);
  let node1: LabNode;
  let kernel1: KernelPort;
  let dataplane1: PolicyRouteDataplane;
  const netnsOf = (spec: { netns: string }): string => spec.netns.split('/').at(-1)!;
  let limited: PolicyRoutePodSpec;
  let free: PolicyRoutePodSpec;
  let peer: PolicyRoutePodSpec;
  let exclusive: ExclusiveEniPodSpec;
  let exclusiveKernel: KernelPort;
  let exclusiveDataplane: ExclusiveEniDataplane;

  async function podSpec(node: LabNode, name: string, ip: string): Promise<PolicyRoutePodSpec> {
    const netns = await lab.addNetns(name);
    return {
      containerId: `ctr-${name}-${lab.id}`,
      netns: `/var/run/netns/${netns}`,
      ifName: 'eth0',
      ip,
      eni: eniSpec(node.secondary),
    };
  }

  beforeAll(async () => {
    node1 = await addNode(
      lab,
      fabric,
      'b1',
      { vswitch: vswA, ip: '10.99.1.11' },
      { vswitch: vswB, ip: '10.99.2.11', podIps: ['10.99.2.21', '10.99.2.22'] },
    );
    const node2 = await addNode(
      lab,
      fabric,
      'b2',
      { vswitch: vswA, ip: '10.99.1.12' },
      { vswitch: vswB, ip: '10.99.2.12', podIps: ['10.99.2.31'] },
    );
    kernel1 = openKernel(implementation, node1.netns);
    dataplane1 = new PolicyRouteDataplane(kernel1, new EniPreparer(kernel1));
    const kernel2 = openKernel(implementation, node2.netns);
    limited = {
      ...(await podSpec(node1, 'lim', '10.99.2.21')),
      // containerd's "no particular burst" sentinel must not open a multi-megabyte hole in the limit.
      bandwidth: { ingressRate: LIMIT, ingressBurst: 2 ** 32 - 1, egressRate: LIMIT },
    };
    free = await podSpec(node1, 'free', '10.99.2.22');
    peer = await podSpec(node2, 'peer', '10.99.2.31');
    await dataplane1.setup(limited);
    await dataplane1.setup(free);
    await new PolicyRouteDataplane(kernel2, new EniPreparer(kernel2)).setup(peer);

    // An exclusive ENI on node 2, limited inside the pod.
    const eni2 = {
      eniId: `eni-b2-2`,
      mac: `00:16:3e:${lab.id.slice(0, 2)}:99:02`,
      vswitch: vswB,
      primaryIp: '10.99.2.40',
    };
    await fabric.attachEni({ instanceId: 'i-b2', netns: node2.netns }, eni2, 2);
    await fabric.assignIps(eni2, [eni2.primaryIp]);
    const xpod = await lab.addNetns('xlim');
    exclusive = {
      containerId: `ctr-xlim-${lab.id}`,
      netns: `/var/run/netns/${xpod}`,
      ifName: 'eth0',
      ip: eni2.primaryIp,
      eni: eniSpec(eni2),
      serviceCidr: '10.96.0.0/12',
      nodeIps: [node2.primary.primaryIp],
      bandwidth: { egressRate: LIMIT, ingressRate: LIMIT },
    };
    exclusiveKernel = kernel2;
    exclusiveDataplane = new ExclusiveEniDataplane(kernel2);
    await exclusiveDataplane.setup(exclusive);
  });

  afterAll(async () => {
    await lab.cleanup();
    await fabric.close();
  });

  describe('pod bandwidth', () => {
    it('holds a limited pod’s egress near its rate (ingress redirect to an ifb)', async () => {
      const rate = await lab.transferRate(netnsOf(limited), netnsOf(peer), peer.ip, BYTES);
      expect(rate).toBeLessThan(CEILING);
      expect(rate).toBeGreaterThan(FLOOR);
    });

    it('holds a limited pod’s ingress near its rate (tbf on the host veth)', async () => {
      const rate = await lab.transferRate(netnsOf(peer), netnsOf(limited), limited.ip, BYTES);
      expect(rate).toBeLessThan(CEILING);
      expect(rate).toBeGreaterThan(FLOOR);
    });

    it('leaves an unlimited pod faster than that', async () => {
      const rate = await lab.transferRate(netnsOf(free), netnsOf(peer), peer.ip, BYTES);
      expect(rate).toBeGreaterThan(CEILING);
    });

    it('limits an exclusive-ENI pod inside its own namespace', async () => {
      const rate = await lab.transferRate(netnsOf(exclusive), netnsOf(peer), peer.ip, BYTES);
      expect(rate).toBeLessThan(CEILING);
      expect(rate).toBeGreaterThan(FLOOR);
      expect(await exclusiveDataplane.check(exclusive)).toEqual([]);
      const inPod = await exclusiveKernel.qdiscs(podNs(exclusive.netns));
      expect(inPod).toContainEqual(expect.objectContaining({ dev: 'eth0', kind: 'tbf', root: true, rateBps: LIMIT }));
    });

    it('checks the shaping and removes the ifb on teardown', async () => {
      const { ifb, key } = podNames(limited.containerId);
      expect(await dataplane1.check(limited)).toEqual([]);
      await kernel1.apply(HOST_NS, [
        { kind: 'qdisc-del', dev: podNames(limited.containerId).hostVeth, parent: 'root' },
      ]);
      expect(await dataplane1.check(limited)).toEqual([expect.objectContaining({ code: 'bandwidth' })]);
      const listed = await new PodInventory(kernel1).list();
      expect(listed.pods.find((p) => p.key === key)?.ifb).toBe(ifb);
      await dataplane1.teardown({ containerId: limited.containerId, ip: limited.ip });
      const links = (await kernel1.read(HOST_NS, ['links'])).links.map((l) => l.name);
      expect(links).not.toContain(ifb);
    });
  });
});
