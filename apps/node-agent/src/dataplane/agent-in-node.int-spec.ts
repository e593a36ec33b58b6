// The production layout: the agent lives inside the node's namespace (hostNetns = null), so host operations
// run without `ip -n`, sysctls go through /proc/sys, and a NIC goes home via /proc/<pid>/ns/net. A process
// inside a simulated node does the dataplane calls; pods talk through the simulated VPC. Once per kernel
// implementation (netlink, iproute2), each in a lab of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KERNEL_IMPLEMENTATIONS, openKernel } from '../kernel/index.js';
import {
  type DataplaneProblem,
  type ExclusiveEniPodSpec,
  type PodNetworkResult,
  type PolicyRoutePodSpec,
} from './dataplane.js';
import { EniPreparer } from './eni-preparer.js';
import { PolicyRouteDataplane } from './policy-route.dataplane.js';
import { NetnsLab } from './testing/netns-lab.js';
import { NetnsVpcFabric, addNode, eniSpec, vswitch, type LabNode } from './testing/vpc-lab.js';

describe.each(KERNEL_IMPLEMENTATIONS)('on the %s kernel', (implementation) => {
  const ECHO_PORT = 7009;
  const lab = new NetnsLab();
  const fabric = new NetnsVpcFabric({ netns: lab.name('vpc') });
  const vswA = vswitch('vsw-a', 1, 44);
  const vswB = vswitch('vsw-b', 2, 44);
  let node: LabNode;
  let peerPod: PolicyRoutePodSpec;
  let peerNetns: string;

  beforeAll(async () => {
    node = await addNode(
      lab,
      fabric,
      'an1',
      { vswitch: vswA, ip: '10.44.1.11' },
      { vswitch: vswB, ip: '10.44.2.11', podIps: ['10.44.2.21'] },
    );
    const peer = await addNode(
      lab,
      fabric,
      'an2',
      { vswitch: vswA, ip: '10.44.1.12' },
      { vswitch: vswB, ip: '10.44.2.12', podIps: ['10.44.2.31'] },
    );
    peerNetns = await lab.addNetns('anpeer');
    peerPod = {
      containerId: `ctr-anpeer-${lab.id}`,
      netns: `/var/run/netns/${peerNetns}`,
      ifName: 'eth0',
      ip: '10.44.2.31',
      eni: eniSpec(peer.secondary),
    };
    const peerKernel = openKernel(implementation, peer.netns);
    await new PolicyRouteDataplane(peerKernel, new EniPreparer(peerKernel)).setup(peerPod);
    await lab.startEchoServer(peerNetns, peerPod.ip, ECHO_PORT);
  });

  afterAll(async () => {
    await lab.cleanup();
    await fabric.close();
  });

  describe('an agent living in the node namespace (hostNetns = null)', () => {
    it('sets up, checks and tears down a policy-route pod, preparing the node through /proc/sys', async () => {
      const netns = await lab.addNetns('anpod');
      const spec: PolicyRoutePodSpec = {
        containerId: `ctr-anpod-${lab.id}`,
        netns: `/var/run/netns/${netns}`,
        ifName: 'eth0',
        ip: '10.44.2.21',
        eni: eniSpec(node.secondary),
      };
      const result = await lab.agentInNode<PodNetworkResult>(node.netns, {
        kernel: implementation,
        dataplane: 'policy-route',
        action: 'setup',
        spec,
      });
      expect(result.ips).toEqual([{ address: '10.44.2.21/32', gateway: '169.254.1.1', interface: 1 }]);
      expect((await lab.exec(node.netns, ['sysctl', '-n', 'net.ipv4.ip_forward'])).stdout.trim()).toBe('1');
      expect(await lab.echo(netns, [peerPod.ip], ECHO_PORT)).toEqual({ [peerPod.ip]: true });
      expect(
        await lab.agentInNode<DataplaneProblem[]>(node.netns, {
          kernel: implementation,
          dataplane: 'policy-route',
          action: 'check',
          spec,
        }),
      ).toEqual([]);
      await lab.agentInNode(node.netns, {
        kernel: implementation,
        dataplane: 'policy-route',
        action: 'teardown',
        spec,
      });
      expect(await lab.echo(netns, [peerPod.ip], ECHO_PORT, 1000)).toEqual({ [peerPod.ip]: false });
    });

    it('moves an exclusive ENI into a pod and back home through /proc/<pid>/ns/net', async () => {
      const eni = {
        eniId: `eni-an1-2`,
        mac: `00:16:3e:${lab.id.slice(0, 2)}:44:02`,
        vswitch: vswB,
        primaryIp: '10.44.2.40',
      };
      await fabric.attachEni({ instanceId: 'i-an1', netns: node.netns }, eni, 2);
      await fabric.assignIps(eni, [eni.primaryIp]);
      const netns = await lab.addNetns('anx');
      const spec: ExclusiveEniPodSpec = {
        containerId: `ctr-anx-${lab.id}`,
        netns: `/var/run/netns/${netns}`,
        ifName: 'eth0',
        ip: eni.primaryIp,
        eni: eniSpec(eni),
        serviceCidr: '10.96.0.0/12',
        nodeIps: [node.primary.primaryIp],
      };
      await lab.agentInNode(node.netns, { kernel: implementation, dataplane: 'eni', action: 'setup', spec });
      expect(await lab.echo(netns, [peerPod.ip], ECHO_PORT)).toEqual({ [peerPod.ip]: true });
      await lab.agentInNode(node.netns, { kernel: implementation, dataplane: 'eni', action: 'teardown', spec });
      const eth2 = await lab.must('ip', ['-n', node.netns, '-j', 'link', 'show', 'eth2']);
      expect(JSON.parse(eth2)).toEqual([expect.objectContaining({ ifname: 'eth2', address: eni.mac })]);
    });
  });
});
