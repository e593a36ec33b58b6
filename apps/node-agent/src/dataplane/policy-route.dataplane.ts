// The default eniip dataplane (DESIGN.md §2): the pod owns `eth0 ip/32` and sends everything to 169.254.1.1,
// a permanent neighbour entry for the host veth's MAC; the node routes `ip/32` to the veth, looks up main for
// traffic to the pod (rule 512) and sends traffic from the pod out of its ENI through table 1000 + ifindex
// (rule 2048).
import {
  HOST_NS,
  TABLE_MAIN,
  podNs,
  withRollback,
  type KernelPort,
  type NetOp,
  type NetSnapshot,
} from '../kernel/index.js';
import { checkShaping, shapingFor, shapingOps, type Shaping } from './bandwidth.shaper.js';
import {
  problem,
  type Dataplane,
  type DataplaneProblem,
  type PodNetworkResult,
  type PodTeardownSpec,
  type PolicyRoutePodSpec,
} from './dataplane.js';
import { ENI_TABLE_BASE, checkEniIn, nicByMac, type EniPreparer } from './eni-preparer.js';
import { POD_GATEWAY, podNames, type PodNames } from './pod-naming.js';
import {
  expectAddress,
  expectLinkUp,
  expectPermanentNeighbour,
  expectRoute,
  expectRule,
  present,
} from './snapshot-expectations.js';

export const RULE_TO_POD = 512;
export const RULE_FROM_POD = 2048;
export const DEFAULT_MTU = 1500;

function hostOps(spec: PolicyRoutePodSpec, names: PodNames, table: number, mtu: number): NetOp[] {
  return [
    {
      kind: 'veth-add',
      name: names.hostVeth,
      mac: names.hostMac,
      mtu,
      peer: { name: spec.ifName, mac: names.podMac, netns: podNs(spec.netns) },
    },
    { kind: 'link-up', dev: names.hostVeth },
    { kind: 'route-replace', dst: `${spec.ip}/32`, dev: names.hostVeth, scope: 'link' },
    { kind: 'rule-add', priority: RULE_TO_POD, to: spec.ip, table: TABLE_MAIN },
    { kind: 'rule-add', priority: RULE_FROM_POD, from: spec.ip, table },
  ];
}

function podOps(spec: PolicyRoutePodSpec, names: PodNames): NetOp[] {
  const dev = spec.ifName;
  return [
    { kind: 'link-up', dev: 'lo' },
    { kind: 'addr-replace', dev, cidr: `${spec.ip}/32` },
    { kind: 'link-up', dev },
    { kind: 'neigh-replace', dev, ip: POD_GATEWAY, mac: names.hostMac },
    { kind: 'route-replace', dst: 'default', via: POD_GATEWAY, dev, onlink: true },
  ];
}

/** Everything the pod left on the node; each op is a no-op when its object is already gone. */
export function hostTeardownOps(names: PodNames, ip: string | undefined): NetOp[] {
  const rules: NetOp[] = ip
    ? [
        { kind: 'rule-del', priority: RULE_TO_POD, to: ip },
        { kind: 'rule-del', priority: RULE_FROM_POD, from: ip },
      ]
    : [];
  // Deleting one end of the veth removes the pod's end, its routes and its qdiscs with it; the ifb stays.
  return [...rules, { kind: 'link-del', dev: names.hostVeth }, { kind: 'link-del', dev: names.ifb }];
}

export class PolicyRouteDataplane implements Dataplane<PolicyRoutePodSpec, PodTeardownSpec> {
  readonly kind = 'policy-route';

  constructor(
    private readonly kernel: KernelPort,
    private readonly enis: EniPreparer,
  ) {}

  async setup(spec: PolicyRoutePodSpec): Promise<PodNetworkResult> {
    const names = podNames(spec.containerId);
    const mtu = spec.mtu ?? DEFAULT_MTU;
    const eni = await this.enis.ensure(spec.eni);
    const shaping = this.shaping(spec, names);
    const shaped = shaping ? shapingOps(shaping, mtu) : { links: [], qdiscs: [] };
    await withRollback(this.kernel, async (rollback) => {
      rollback.undo(HOST_NS, hostTeardownOps(names, spec.ip));
      await this.kernel.apply(HOST_NS, [...hostOps(spec, names, eni.table, mtu), ...shaped.links, ...shaped.qdiscs]);
      await this.kernel.apply(podNs(spec.netns), podOps(spec, names));
    });
    return {
      interfaces: [
        { name: names.hostVeth, mac: names.hostMac },
        { name: spec.ifName, mac: names.podMac, sandbox: spec.netns },
      ],
      ips: [{ address: `${spec.ip}/32`, gateway: POD_GATEWAY, interface: 1 }],
      routes: [{ dst: '0.0.0.0/0', gw: POD_GATEWAY }],
    };
  }

  async teardown(spec: PodTeardownSpec): Promise<void> {
    const names = podNames(spec.containerId);
    const ip = spec.ip ?? (await this.ipRoutedTo(names.hostVeth));
    await this.kernel.apply(HOST_NS, hostTeardownOps(names, ip));
  }

  async check(spec: PolicyRoutePodSpec): Promise<DataplaneProblem[]> {
    const names = podNames(spec.containerId);
    const pod = podNs(spec.netns);
    const [host, podExists] = await Promise.all([
      this.kernel.read(HOST_NS, ['links', 'routes', 'rules']),
      this.kernel.netnsExists(pod),
    ]);
    const problems = [...checkEniIn(host, spec.eni), ...this.checkHost(host, spec, names)];
    if (!podExists) {
      problems.push(problem('pod-netns', `${spec.netns} does not exist`));
    } else {
      const inPod = await this.kernel.read(pod, ['links', 'addresses', 'routes', 'neighbours']);
      problems.push(...this.checkPod(inPod, spec, names));
    }
    const shaping = this.shaping(spec, names);
    if (shaping) {
      problems.push(...(await checkShaping(this.kernel, HOST_NS, shaping)));
    }
    return problems;
  }

  private shaping(spec: PolicyRoutePodSpec, names: PodNames): Shaping | null {
    return shapingFor(spec.bandwidth, names.hostVeth, names.ifb, spec.mtu ?? DEFAULT_MTU, true);
  }

  private checkHost(host: NetSnapshot, spec: PolicyRoutePodSpec, names: PodNames): DataplaneProblem[] {
    const nic = nicByMac(host.links, spec.eni.mac);
    return present([
      expectLinkUp(host, 'host-link', names.hostVeth),
      expectRoute(host, 'host-route', { dst: spec.ip, dev: names.hostVeth }),
      expectRule(host, { priority: RULE_TO_POD, to: spec.ip, table: TABLE_MAIN }),
      nic ? expectRule(host, { priority: RULE_FROM_POD, from: spec.ip, table: ENI_TABLE_BASE + nic.index }) : null,
    ]);
  }

  private checkPod(pod: NetSnapshot, spec: PolicyRoutePodSpec, names: PodNames): DataplaneProblem[] {
    const dev = spec.ifName;
    return present([
      expectLinkUp(pod, 'pod-link', dev),
      expectAddress(pod, dev, spec.ip, 32),
      expectPermanentNeighbour(pod, dev, POD_GATEWAY, names.hostMac),
      expectRoute(pod, 'pod-route', { dst: 'default', via: POD_GATEWAY, dev }),
    ]);
  }

  private async ipRoutedTo(hostVeth: string): Promise<string | undefined> {
    const host = await this.kernel.read(HOST_NS, ['routes']);
    return host.routes.find((r) => r.dev === hostVeth && r.table === TABLE_MAIN)?.dst.replace(/\/32$/, '');
  }
}
