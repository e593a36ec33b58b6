// An exclusive-ENI pod on a simulated ECS node: the pod owns the ENI's NIC, reaches the VPC through it and
// the Service CIDR and the node through veth1; teardown hands the NIC back to the node. Once per kernel
// implementation (netlink, iproute2), each in a lab of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_NS, KERNEL_IMPLEMENTATIONS, openKernel, podNs, type KernelPort } from '../kernel/index.js';
import { type ExclusiveEniPodSpec } from './dataplane.js';
import { ExclusiveEniDataplane, HOST_LINK_IFNAME } from './exclusive-eni.dataplane.js';
import { podNames } from './pod-naming.js';
import { NetnsLab } from './testing/netns-lab.js';
import { NetnsVpcFabric, addNode, eniSpec, vswitch, type LabNode } from './testing/vpc-lab.js';

const ECHO_PORT = 7008;
const SERVICE_IP = '10.96.0.10';
describe.each(KERNEL_IMPLEMENTATIONS)('exclusive ENI dataplane on the %s kernel', (implementation) => {
  const lab = new NetnsLab();
  const fabric = new NetnsVpcFabric({ netns: lab.name('vpc') });
  const vswA = vswitch('vsw-a', 1, 88);
  const vswB = vswitch('vsw-b', 2, 88);
  let node: LabNode;
  let peer: LabNode;
  let podNetns: string;
  let spec: ExclusiveEniPodSpec;
  let kernel: KernelPort;
  let dataplane: ExclusiveEniDataplane;

  beforeAll(async () => {
    node = await addNode(
      lab,
      fabric,
      'x1',
      { vswitch: vswA, ip: '10.88.1.11' },
      { vswitch: vswB, ip: '10.88.2.11', podIps: [] },
    );
    peer = await addNode(
      lab,
      fabric,
      'x2',
      { vswitch: vswA, ip: '10.88.1.12' },
      { vswitch: vswB, ip: '10.88.2.12', podIps: [] },
    );
    // What kube-proxy would answer for: a Service address on the node.
    await lab.must('ip', ['-n', node.netns, 'addr', 'add', `${SERVICE_IP}/32`, 'dev', 'lo']);
    await lab.startEchoServer(node.netns, SERVICE_IP, ECHO_PORT);
    await lab.startEchoServer(node.netns, node.primary.primaryIp, ECHO_PORT);
    await lab.startEchoServer(peer.netns, peer.primary.primaryIp, ECHO_PORT);
    podNetns = await lab.addNetns('xpod');
    kernel = openKernel(implementation, node.netns);
    dataplane = new ExclusiveEniDataplane(kernel);
    spec = {
      containerId: `ctr-x-${lab.id}`,
      netns: `/var/run/netns/${podNetns}`,
      ifName: 'eth0',
      ip: node.secondary.primaryIp,
      eni: eniSpec(node.secondary),
      serviceCidr: '10.96.0.0/12',
      nodeIps: [node.primary.primaryIp],
    };
  });

  afterAll(async () => {
    await lab.cleanup();
    await fabric.close();
  });

  const hostLinkNames = async (): Promise<string[]> => (await kernel.read(HOST_NS, ['links'])).links.map((l) => l.name);

  describe('exclusive ENI dataplane', () => {
    it('moves the ENI into the pod as eth0 and checks clean', async () => {
      await dataplane.setup(spec);
      await dataplane.setup(spec);
      const inPod = await kernel.read(podNs(spec.netns), ['links', 'addresses']);
      expect(inPod.links.find((l) => l.name === 'eth0')?.mac).toBe(spec.eni.mac);
      expect(inPod.addresses).toContainEqual({ dev: 'eth0', ip: spec.ip, prefix: 24 });
      expect(await hostLinkNames()).not.toContain('eth1');
      expect(await dataplane.check(spec)).toEqual([]);
    });

    it('reaches the VPC through its own NIC and the Service CIDR and node through veth1', async () => {
      const reached = await lab.echo(podNetns, [peer.primary.primaryIp, SERVICE_IP, node.primary.primaryIp], ECHO_PORT);
      expect(reached).toEqual({ [peer.primary.primaryIp]: true, [SERVICE_IP]: true, [node.primary.primaryIp]: true });
      const route = await lab.must('ip', ['-n', podNetns, 'route', 'get', SERVICE_IP]);
      expect(route).toContain(`dev ${HOST_LINK_IFNAME}`);
    });

    it('reports a missing Service route', async () => {
      await lab.must('ip', ['-n', podNetns, 'route', 'del', spec.serviceCidr]);
      expect(await dataplane.check(spec)).toEqual([expect.objectContaining({ code: 'pod-route' })]);
      await dataplane.setup(spec);
      expect(await dataplane.check(spec)).toEqual([]);
    });

    it('hands the NIC back to the node under its own name on teardown, twice', async () => {
      await dataplane.teardown({ containerId: spec.containerId, netns: spec.netns, eni: spec.eni });
      await dataplane.teardown({ containerId: spec.containerId, netns: spec.netns, eni: spec.eni });
      const host = await kernel.read(HOST_NS, ['links']);
      expect(host.links.find((l) => l.name === 'eth1')?.mac).toBe(spec.eni.mac);
      expect(host.links.map((l) => l.name)).not.toContain(podNames(spec.containerId).hostVeth);
      const inPod = await kernel.read(podNs(spec.netns), ['links']);
      expect(inPod.links.map((l) => l.name)).toEqual(['lo']);
      expect(await lab.echo(peer.netns, [spec.ip], ECHO_PORT, 1500)).toEqual({ [spec.ip]: false });
    });

    it('leaves the NIC on the node when setup fails', async () => {
      const broken = { ...spec, containerId: `ctr-xbad-${lab.id}`, netns: `/var/run/netns/${lab.name('nowhere')}` };
      await expect(dataplane.setup(broken)).rejects.toThrow(/netns|namespace/i);
      const names = await hostLinkNames();
      expect(names).toContain('eth1');
      expect(names).not.toContain(podNames(broken.containerId).hostVeth);
    });
  });
});
