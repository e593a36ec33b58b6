// Policy-route pods on two simulated ECS nodes, talking through a simulated VPC (DESIGN.md §9): real
// namespaces, real veths, bridges and policy routes; nothing leaves the lab's own namespaces. Everything runs
// once per kernel implementation (netlink, iproute2), each in a lab of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_NS, KERNEL_IMPLEMENTATIONS, openKernel, type KernelPort } from '../kernel/index.js';
import { type PolicyRoutePodSpec } from './dataplane.js';
import { EniPreparer } from './eni-preparer.js';
import { PodInventory } from './pod-inventory.js';
import { podNames } from './pod-naming.js';
import { PolicyRouteDataplane, RULE_FROM_POD, RULE_TO_POD } from './policy-route.dataplane.js';
import { NetnsLab } from './testing/netns-lab.js';
import { NetnsVpcFabric, addNode, eniSpec, vswitch, type LabNode } from './testing/vpc-lab.js';

const ECHO_PORT = 7007;
describe.each(KERNEL_IMPLEMENTATIONS)('policy-route dataplane on the %s kernel', (implementation) => {
  const lab = new NetnsLab();
  const fabric = new NetnsVpcFabric({ netns: lab.name('vpc') });
  const vswA = vswitch('vsw-a', 1);
  const vswB = vswitch('vsw-b', 2);
  const vswC = vswitch('vsw-c', 3);

  interface LabPod {
    spec: PolicyRoutePodSpec;
    node: LabNode;
    dataplane: PolicyRouteDataplane;
    kernel: KernelPort;
  }

  const pods: LabPod[] = [];
  const podByName = (name: string): LabPod => pods.find((p) => p.spec.containerId === `ctr-${name}-${lab.id}`)!;

  async function addPods(node: LabNode, names: string[], ips: string[]): Promise<void> {
    const kernel = openKernel(implementation, node.netns);
    const dataplane = new PolicyRouteDataplane(kernel, new EniPreparer(kernel));
    for (const [i, name] of names.entries()) {
      const netns = await lab.addNetns(name);
      const spec: PolicyRoutePodSpec = {
        containerId: `ctr-${name}-${lab.id}`,
        netns: `/var/run/netns/${netns}`,
        ifName: 'eth0',
        ip: ips[i],
        eni: eniSpec(node.secondary),
      };
      pods.push({ spec, node, dataplane, kernel });
    }
  }

  const others = (pod: LabPod): string[] => pods.filter((p) => p !== pod).map((p) => p.spec.ip);

  beforeAll(async () => {
    await fabric.addVSwitch(vswA);
    const node1 = await addNode(
      lab,
      fabric,
      'n1',
      { vswitch: vswA, ip: '10.77.1.11' },
      { vswitch: vswB, ip: '10.77.2.11', podIps: ['10.77.2.21', '10.77.2.22'] },
    );
    const node2 = await addNode(
      lab,
      fabric,
      'n2',
      { vswitch: vswA, ip: '10.77.1.12' },
      { vswitch: vswC, ip: '10.77.3.12', podIps: ['10.77.3.21', '10.77.3.22'] },
    );
    await addPods(node1, ['p1', 'p2'], ['10.77.2.21', '10.77.2.22']);
    await addPods(node2, ['p3', 'p4'], ['10.77.3.21', '10.77.3.22']);
    for (const pod of pods) {
      await pod.dataplane.setup(pod.spec);
      await lab.startEchoServer(pod.spec.netns.split('/').at(-1)!, pod.spec.ip, ECHO_PORT);
    }
  });

  afterAll(async () => {
    await lab.cleanup();
    await fabric.close();
  });

  describe('policy-route dataplane through a simulated VPC', () => {
    it('lets every pod reach every other pod, across nodes and vSwitches', async () => {
      for (const pod of pods) {
        const reached = await lab.echo(pod.spec.netns.split('/').at(-1)!, others(pod), ECHO_PORT);
        expect(reached).toEqual(Object.fromEntries(others(pod).map((ip) => [ip, true])));
      }
    });

    it('sends pod traffic out of the ENI through table 1000 + ifindex', async () => {
      const pod = podByName('p1');
      const host = await pod.kernel.read(HOST_NS, ['links', 'rules', 'routes']);
      const eth1 = host.links.find((l) => l.name === 'eth1')!;
      expect(host.rules).toContainEqual({ priority: RULE_FROM_POD, from: pod.spec.ip, table: 1000 + eth1.index });
      expect(host.rules).toContainEqual({ priority: RULE_TO_POD, to: pod.spec.ip, table: 254 });
      expect(host.routes).toContainEqual(
        expect.objectContaining({ table: 1000 + eth1.index, dst: 'default', gateway: vswB.gateway, dev: 'eth1' }),
      );
    });

    it('checks clean, reports a route deleted by hand, and a repeated setup repairs it', async () => {
      const pod = podByName('p2');
      expect(await pod.dataplane.check(pod.spec)).toEqual([]);
      const veth = podNames(pod.spec.containerId).hostVeth;
      await lab.must('ip', ['-n', pod.node.netns, 'route', 'del', `${pod.spec.ip}/32`, 'dev', veth]);
      const problems = await pod.dataplane.check(pod.spec);
      expect(problems).toEqual([expect.objectContaining({ code: 'host-route' })]);
      await pod.dataplane.setup(pod.spec);
      expect(await pod.dataplane.check(pod.spec)).toEqual([]);
      expect(await lab.echo(podByName('p3').spec.netns.split('/').at(-1)!, [pod.spec.ip], ECHO_PORT)).toEqual({
        [pod.spec.ip]: true,
      });
    });

    it('lists the node’s pods by naming convention', async () => {
      const pod = podByName('p3');
      const listed = await new PodInventory(pod.kernel).list();
      const keys = pods.filter((p) => p.node === pod.node).map((p) => podNames(p.spec.containerId).key);
      expect(listed.pods.map((p) => p.key).sort()).toEqual([...keys].sort());
      expect(listed.pods.find((p) => p.key === podNames(pod.spec.containerId).key)).toMatchObject({
        ips: [pod.spec.ip],
        ifb: null,
      });
      expect(listed.strayRules).toEqual([]);
    });

    it('tears a pod down completely, twice, and its address stops answering', async () => {
      const pod = podByName('p4');
      await pod.dataplane.teardown({ containerId: pod.spec.containerId, ip: pod.spec.ip });
      await pod.dataplane.teardown({ containerId: pod.spec.containerId, ip: pod.spec.ip });
      const host = await pod.kernel.read(HOST_NS, ['links', 'routes', 'rules']);
      const { key } = podNames(pod.spec.containerId);
      expect(host.links.filter((l) => l.name.includes(key))).toEqual([]);
      expect(host.routes.filter((r) => r.dst === pod.spec.ip)).toEqual([]);
      expect(host.rules.filter((r) => r.from === pod.spec.ip || r.to === pod.spec.ip)).toEqual([]);
      const podSide = await pod.kernel.read({ kind: 'pod', netns: pod.spec.netns }, ['links']);
      expect(podSide.links.map((l) => l.name)).toEqual(['lo']);
      expect(await lab.echo(podByName('p1').spec.netns.split('/').at(-1)!, [pod.spec.ip], ECHO_PORT, 1500)).toEqual({
        [pod.spec.ip]: false,
      });
      expect(await pod.dataplane.check(pod.spec)).toContainEqual(expect.objectContaining({ code: 'host-link' }));
    });

    it('sets a pod up in two stages (links, then address) and takes it down in two (isolate, then links)', async () => {
      const pod = podByName('p4');
      const netnsName = pod.spec.netns.split('/').at(-1)!;
      const peer = podByName('p1').spec.netns.split('/').at(-1)!;
      await pod.dataplane.prepareLinks(pod.spec);
      await pod.dataplane.completeAddress(pod.spec);
      // A port of its own: the first echo server of this pod went with its address.
      await lab.startEchoServer(netnsName, pod.spec.ip, ECHO_PORT + 1);
      expect(await pod.dataplane.check(pod.spec)).toEqual([]);
      expect(await lab.echo(peer, [pod.spec.ip], ECHO_PORT + 1)).toEqual({ [pod.spec.ip]: true });

      await pod.dataplane.isolate({ containerId: pod.spec.containerId, ip: pod.spec.ip });
      const host = await pod.kernel.read(HOST_NS, ['links', 'routes', 'rules']);
      const { hostVeth } = podNames(pod.spec.containerId);
      expect(host.links.find((l) => l.name === hostVeth)).toMatchObject({ up: false });
      expect(host.routes.filter((r) => r.dst === pod.spec.ip)).toEqual([]);
      expect(host.rules.filter((r) => r.from === pod.spec.ip || r.to === pod.spec.ip)).toEqual([]);
      expect(await lab.echo(peer, [pod.spec.ip], ECHO_PORT + 1, 1500)).toEqual({ [pod.spec.ip]: false });

      await pod.dataplane.removeLinks({ containerId: pod.spec.containerId });
      await pod.dataplane.removeLinks({ containerId: pod.spec.containerId });
      const after = await pod.kernel.read(HOST_NS, ['links']);
      expect(after.links.filter((l) => l.name === hostVeth)).toEqual([]);
    });
  });

  describe('policy-route setup that fails midway', () => {
    it('leaves nothing behind when the pod namespace does not exist', async () => {
      const { dataplane, kernel, node } = podByName('p1');
      const spec: PolicyRoutePodSpec = {
        containerId: `ctr-missing-${lab.id}`,
        netns: `/var/run/netns/${lab.name('missing')}`,
        ifName: 'eth0',
        ip: '10.77.2.99',
        eni: eniSpec(node.secondary),
      };
      await expect(dataplane.setup(spec)).rejects.toThrow(/netns|namespace/i);
      await expectNoTrace(kernel, spec);
    });

    it('leaves nothing behind when shaping fails after the veth, routes, rules and ifb exist', async () => {
      const { dataplane, kernel, node } = podByName('p1');
      const netns = await lab.addNetns('badbw');
      const spec: PolicyRoutePodSpec = {
        containerId: `ctr-badbw-${lab.id}`,
        netns: `/var/run/netns/${netns}`,
        ifName: 'eth0',
        ip: '10.77.2.98',
        eni: eniSpec(node.secondary),
        // tc refuses a rate this large, after every ip step of the setup has succeeded.
        bandwidth: { egressRate: 1e21, ingressRate: 1e21 },
      };
      await expect(dataplane.setup(spec)).rejects.toThrow(/tc/);
      await expectNoTrace(kernel, spec);
      const podSide = await kernel.read({ kind: 'pod', netns: spec.netns }, ['links']);
      expect(podSide.links.map((l) => l.name)).toEqual(['lo']);
    });
  });

  async function expectNoTrace(kernel: KernelPort, spec: PolicyRoutePodSpec): Promise<void> {
    const host = await kernel.read(HOST_NS, ['links', 'routes', 'rules']);
    const { key } = podNames(spec.containerId);
    expect(host.links.filter((l) => l.name.includes(key))).toEqual([]);
    expect(host.routes.filter((r) => r.dst === spec.ip)).toEqual([]);
    expect(host.rules.filter((r) => r.from === spec.ip || r.to === spec.ip)).toEqual([]);
  }
});
