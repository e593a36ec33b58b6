// The exclusive `eni` dataplane (DESIGN.md §2): the ENI's NIC itself moves into the pod as eth0 with the
// primary IP on the vSwitch prefix and the vSwitch gateway as default route. A second veth (`veth1` in the
// pod, `ipl<key>` on the node) carries the Service CIDR and the node's own IPs through the host, so Services
// work as for every other pod.
//
// The NIC must come back on teardown. A physical NIC would return to the initial namespace by itself when
// the pod's namespace dies; a veth (the simulated NIC) would be destroyed instead, so it is moved back
// explicitly, under the name it had, which is remembered in its alias while it lives in the pod.
import { DomainError } from '@ipledger/domain';
import { HOST_NS, podNs, withRollback, type KernelPort, type LinkInfo, type NetOp } from '../kernel/index.js';
import { checkShaping, shapingFor, shapingOps, unshapingOps } from './bandwidth.shaper.js';
import {
  problem,
  type Dataplane,
  type DataplaneProblem,
  type ExclusiveEniPodSpec,
  type ExclusiveEniTeardownSpec,
  type PodNetworkResult,
} from './dataplane.js';
import { nicByMac } from './eni-preparer.js';
import { DEFAULT_MTU } from './policy-route.dataplane.js';
import { POD_GATEWAY, podNames, type PodNames } from './pod-naming.js';
import {
  expectAddress,
  expectLinkUp,
  expectPermanentNeighbour,
  expectRoute,
  present,
} from './snapshot-expectations.js';

/** The pod's end of the host veth. */
export const HOST_LINK_IFNAME = 'veth1';
const HOME_ALIAS = /^ipledger:home=(\S+)$/;

export const prefixLength = (cidr: string): number => Number(cidr.split('/')[1] ?? 32);

/** The name a NIC had on the node before it moved into a pod, as recorded in its alias. */
export const recordedHome = (nic: Pick<LinkInfo, 'alias'>): string | undefined => HOME_ALIAS.exec(nic.alias ?? '')?.[1];

/** Where a NIC goes back to; a made-up but stable name when its alias was lost. */
export function homeName(nic: Pick<LinkInfo, 'alias' | 'mac'>): string {
  return recordedHome(nic) ?? `eni${nic.mac.replaceAll(':', '').toLowerCase()}`;
}

function hostLinkOps(spec: ExclusiveEniPodSpec, names: PodNames): NetOp[] {
  return [
    {
      kind: 'veth-add',
      name: names.hostVeth,
      mac: names.hostMac,
      peer: { name: HOST_LINK_IFNAME, mac: names.podMac, netns: podNs(spec.netns) },
    },
    { kind: 'link-up', dev: names.hostVeth },
    { kind: 'route-replace', dst: `${spec.ip}/32`, dev: names.hostVeth, scope: 'link' },
  ];
}

function podOps(spec: ExclusiveEniPodSpec, names: PodNames): NetOp[] {
  const dev = spec.ifName;
  const viaHost = (dst: string): NetOp => ({
    kind: 'route-replace',
    dst,
    via: POD_GATEWAY,
    dev: HOST_LINK_IFNAME,
    onlink: true,
  });
  return [
    { kind: 'link-up', dev: 'lo' },
    { kind: 'addr-replace', dev, cidr: `${spec.ip}/${prefixLength(spec.eni.vswitchCidr)}` },
    { kind: 'link-up', dev },
    { kind: 'route-replace', dst: 'default', via: spec.eni.gateway, dev },
    { kind: 'link-up', dev: HOST_LINK_IFNAME },
    { kind: 'neigh-replace', dev: HOST_LINK_IFNAME, ip: POD_GATEWAY, mac: names.hostMac },
    viaHost(spec.serviceCidr),
    ...spec.nodeIps.map((ip) => viaHost(`${ip}/32`)),
  ];
}

export class ExclusiveEniDataplane implements Dataplane<ExclusiveEniPodSpec, ExclusiveEniTeardownSpec> {
  readonly kind = 'eni';

  constructor(private readonly kernel: KernelPort) {}

  async setup(spec: ExclusiveEniPodSpec): Promise<PodNetworkResult> {
    const names = podNames(spec.containerId);
    const pod = podNs(spec.netns);
    const nic = nicByMac((await this.kernel.read(HOST_NS, ['links'])).links, spec.eni.mac);
    const shaping = shapingFor(spec.bandwidth, spec.ifName, names.ifb, spec.mtu ?? DEFAULT_MTU, false);
    const shaped = shaping ? shapingOps(shaping, spec.mtu ?? DEFAULT_MTU) : { links: [], qdiscs: [] };
    await withRollback(this.kernel, async (rollback) => {
      rollback.undo(HOST_NS, [{ kind: 'link-del', dev: names.hostVeth }]);
      rollback.undoWith(() => this.returnNic(spec.netns, spec.eni.mac, names));
      if (nic) {
        await this.kernel.apply(HOST_NS, [
          { kind: 'link-alias', dev: nic.name, alias: `ipledger:home=${nic.name}` },
          { kind: 'link-move', dev: nic.name, netns: pod, newName: spec.ifName },
          ...hostLinkOps(spec, names),
        ]);
      } else {
        await this.expectNicInPod(spec);
        await this.kernel.apply(HOST_NS, hostLinkOps(spec, names));
      }
      await this.kernel.apply(pod, [...podOps(spec, names), ...shaped.links, ...shaped.qdiscs]);
    });
    return {
      interfaces: [
        { name: spec.ifName, mac: spec.eni.mac.toLowerCase(), sandbox: spec.netns },
        { name: HOST_LINK_IFNAME, mac: names.podMac, sandbox: spec.netns },
        { name: names.hostVeth, mac: names.hostMac },
      ],
      ips: [{ address: `${spec.ip}/${prefixLength(spec.eni.vswitchCidr)}`, gateway: spec.eni.gateway, interface: 0 }],
      routes: [
        { dst: '0.0.0.0/0', gw: spec.eni.gateway },
        { dst: spec.serviceCidr, gw: POD_GATEWAY },
        ...spec.nodeIps.map((ip) => ({ dst: `${ip}/32`, gw: POD_GATEWAY })),
      ],
    };
  }

  async teardown(spec: ExclusiveEniTeardownSpec): Promise<void> {
    const names = podNames(spec.containerId);
    await this.returnNic(spec.netns, spec.eni.mac, names);
    await this.kernel.apply(HOST_NS, [{ kind: 'link-del', dev: names.hostVeth }]);
  }

  async check(spec: ExclusiveEniPodSpec): Promise<DataplaneProblem[]> {
    const names = podNames(spec.containerId);
    const pod = podNs(spec.netns);
    const host = await this.kernel.read(HOST_NS, ['links', 'routes']);
    const problems = present([
      expectLinkUp(host, 'host-link', names.hostVeth),
      expectRoute(host, 'host-route', { dst: spec.ip, dev: names.hostVeth }),
      nicByMac(host.links, spec.eni.mac)
        ? problem('pod-link', `ENI ${spec.eni.mac} is on the node, not in the pod`)
        : null,
    ]);
    if (!(await this.kernel.netnsExists(pod))) {
      return [...problems, problem('pod-netns', `${spec.netns} does not exist`)];
    }
    const inPod = await this.kernel.read(pod, ['links', 'addresses', 'routes', 'neighbours']);
    const nic = nicByMac(inPod.links, spec.eni.mac);
    problems.push(
      ...present([
        nic?.name === spec.ifName ? null : problem('pod-link', `ENI ${spec.eni.mac} is not ${spec.ifName} in the pod`),
        expectLinkUp(inPod, 'pod-link', spec.ifName),
        expectAddress(inPod, spec.ifName, spec.ip, prefixLength(spec.eni.vswitchCidr)),
        expectRoute(inPod, 'pod-route', { dst: 'default', via: spec.eni.gateway, dev: spec.ifName }),
        expectLinkUp(inPod, 'pod-link', HOST_LINK_IFNAME),
        expectPermanentNeighbour(inPod, HOST_LINK_IFNAME, POD_GATEWAY, names.hostMac),
        ...[spec.serviceCidr, ...spec.nodeIps].map((dst) =>
          expectRoute(inPod, 'pod-route', { dst, via: POD_GATEWAY, dev: HOST_LINK_IFNAME }),
        ),
      ]),
    );
    const shaping = shapingFor(spec.bandwidth, spec.ifName, names.ifb, spec.mtu ?? DEFAULT_MTU, false);
    if (shaping) {
      problems.push(...(await checkShaping(this.kernel, pod, shaping)));
    }
    return problems;
  }

  private async expectNicInPod(spec: ExclusiveEniPodSpec): Promise<void> {
    const inPod = (await this.kernel.netnsExists(podNs(spec.netns)))
      ? nicByMac((await this.kernel.read(podNs(spec.netns), ['links'])).links, spec.eni.mac)
      : undefined;
    if (!inPod) {
      throw new DomainError('not-found', `no NIC with the MAC of ENI ${spec.eni.mac} on this node`, {
        mac: spec.eni.mac,
      });
    }
  }

  /** Brings the NIC back to the node under its home name, wherever it is now; a no-op when it is home. */
  private async returnNic(netns: string | undefined, mac: string, names: PodNames): Promise<void> {
    const pod = netns ? podNs(netns) : null;
    if (pod && (await this.kernel.netnsExists(pod))) {
      const nic = nicByMac((await this.kernel.read(pod, ['links'])).links, mac);
      if (nic) {
        await this.kernel.apply(pod, [
          ...unshapingOps(nic.name, names.ifb),
          { kind: 'link-down', dev: nic.name },
          { kind: 'link-move', dev: nic.name, netns: HOST_NS, newName: homeName(nic) },
        ]);
        return;
      }
    }
    // Not in the pod: already home, or handed back by the kernel when the pod's namespace died.
    const nic = nicByMac((await this.kernel.read(HOST_NS, ['links'])).links, mac);
    const home = nic && recordedHome(nic);
    if (nic && home && nic.name !== home) {
      await this.kernel.apply(HOST_NS, [
        { kind: 'link-down', dev: nic.name },
        { kind: 'link-rename', dev: nic.name, newName: home },
      ]);
    }
  }
}
