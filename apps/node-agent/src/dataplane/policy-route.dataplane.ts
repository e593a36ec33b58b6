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

// Setup can come in two stages so that ADD builds the veth pair while AllocateIp is in flight: `*LinkOps` need
// no address (the pod's gateway is link-local and its neighbour entry is the fixed host MAC), `*AddressOps` do.
function hostLinkOps(spec: PodLinkSpec, names: PodNames, mtu: number): NetOp[] {
  return [
    {
      kind: 'veth-add',
      name: names.hostVeth,
      mac: names.hostMac,
      mtu,
      peer: { name: spec.ifName, mac: names.podMac, netns: podNs(spec.netns) },
    },
    { kind: 'link-up', dev: names.hostVeth },
  ];
}

function hostAddressOps(ip: string, names: PodNames, table: number): NetOp[] {
  return [
    { kind: 'route-replace', dst: `${ip}/32`, dev: names.hostVeth, scope: 'link' },
    { kind: 'rule-add', priority: RULE_TO_POD, to: ip, table: TABLE_MAIN },
    { kind: 'rule-add', priority: RULE_FROM_POD, from: ip, table },
  ];
}

function podLinkOps(spec: PodLinkSpec, names: PodNames): NetOp[] {
  const dev = spec.ifName;
  return [
    { kind: 'link-up', dev: 'lo' },
    { kind: 'link-up', dev },
    { kind: 'neigh-replace', dev, ip: POD_GATEWAY, mac: names.hostMac },
    { kind: 'route-replace', dst: 'default', via: POD_GATEWAY, dev, onlink: true },
  ];
}

const podAddressOps = (spec: PolicyRoutePodSpec): NetOp[] => [
  { kind: 'addr-replace', dev: spec.ifName, cidr: `${spec.ip}/32` },
];

/** Everything the pod left on the node; each op is a no-op when its object is already gone. */
export function hostTeardownOps(names: PodNames, ip: string | undefined): NetOp[] {
  const rules: NetOp[] = ip
    ? [
        { kind: 'rule-del', priority: RULE_TO_POD, to: ip },
        { kind: 'rule-del', priority: RULE_FROM_POD, from: ip },
      ]
    : [];
  // Deleting one end of the veth removes the pod's end, its routes and its qdiscs with it; the ifb stays.
  return [...rules, ...linkTeardownOps(names)];
}

const linkTeardownOps = (names: PodNames): NetOp[] => [
  { kind: 'link-del', dev: names.hostVeth },
  { kind: 'link-del', dev: names.ifb },
];

/** What makes the pod's address unusable on the node at once: no rule, no route, the host veth down. */
function isolateOps(names: PodNames, ip: string): NetOp[] {
  return [
    { kind: 'rule-del', priority: RULE_TO_POD, to: ip },
    { kind: 'rule-del', priority: RULE_FROM_POD, from: ip },
    { kind: 'route-del', dst: `${ip}/32`, dev: names.hostVeth },
    { kind: 'link-down', dev: names.hostVeth },
  ];
}

/** What the links of a pod need: everything but its address and ENI. */
export type PodLinkSpec = Pick<PolicyRoutePodSpec, 'containerId' | 'netns' | 'ifName' | 'bandwidth' | 'mtu'>;

function resultOf(spec: PolicyRoutePodSpec, names: PodNames): PodNetworkResult {
  return {
    interfaces: [
      { name: names.hostVeth, mac: names.hostMac },
      { name: spec.ifName, mac: names.podMac, sandbox: spec.netns },
    ],
    ips: [{ address: `${spec.ip}/32`, gateway: POD_GATEWAY, interface: 1 }],
    routes: [{ dst: '0.0.0.0/0', gw: POD_GATEWAY }],
  };
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
    const shaped = this.shapedOps(spec, names);
    await withRollback(this.kernel, async (rollback) => {
      rollback.undo(HOST_NS, hostTeardownOps(names, spec.ip));
      await this.kernel.apply(HOST_NS, [
        ...hostLinkOps(spec, names, mtu),
        ...hostAddressOps(spec.ip, names, eni.table),
        ...shaped,
      ]);
      await this.kernel.apply(podNs(spec.netns), [...podLinkOps(spec, names), ...podAddressOps(spec)]);
    });
    return resultOf(spec, names);
  }

  /**
   * Stage 1 of a split setup, host side only (one process): the veth pair with its MACs and the pod's end
   * already in the pod, host end up, shaping. The pod side waits for stage 2, so each stage costs one process
   * on its critical path (a process start is most of a stage here).
   */
  async prepareLinks(spec: PodLinkSpec): Promise<void> {
    const names = podNames(spec.containerId);
    await withRollback(this.kernel, async (rollback) => {
      rollback.undo(HOST_NS, linkTeardownOps(names));
      await this.kernel.apply(HOST_NS, [
        ...hostLinkOps(spec, names, spec.mtu ?? DEFAULT_MTU),
        ...this.shapedOps(spec, names),
      ]);
    });
  }

  /** Stage 2, once the address is known: host route and rules, and the whole pod side, at once. */
  async completeAddress(spec: PolicyRoutePodSpec): Promise<PodNetworkResult> {
    const names = podNames(spec.containerId);
    const eni = await this.enis.ensure(spec.eni);
    await withRollback(this.kernel, async (rollback) => {
      rollback.undo(HOST_NS, hostTeardownOps(names, spec.ip));
      const outcomes = await Promise.allSettled([
        this.kernel.apply(HOST_NS, hostAddressOps(spec.ip, names, eni.table)),
        this.kernel.apply(podNs(spec.netns), [...podLinkOps(spec, names), ...podAddressOps(spec)]),
      ]);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) {
        throw failed.reason;
      }
    });
    return resultOf(spec, names);
  }

  async teardown(spec: PodTeardownSpec): Promise<void> {
    const names = podNames(spec.containerId);
    const ip = spec.ip ?? (await this.ipRoutedTo(names.hostVeth));
    await this.kernel.apply(HOST_NS, hostTeardownOps(names, ip));
  }

  /**
   * Stage 1 of a split teardown, fast: rules and host route gone, host veth down, so nothing on the node can
   * use the address any more. Deleting the devices (which waits for the kernel) is `removeLinks`.
   */
  async isolate(spec: { containerId: string; ip: string }): Promise<void> {
    await this.kernel.apply(HOST_NS, isolateOps(podNames(spec.containerId), spec.ip));
  }

  /** Stage 2 of a split teardown: the veth (and the pod's end with it) and the ifb. */
  async removeLinks(spec: { containerId: string }): Promise<void> {
    await this.kernel.apply(HOST_NS, linkTeardownOps(podNames(spec.containerId)));
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

  private shaping(spec: PodLinkSpec, names: PodNames): Shaping | null {
    return shapingFor(spec.bandwidth, names.hostVeth, names.ifb, spec.mtu ?? DEFAULT_MTU, true);
  }

  private shapedOps(spec: PodLinkSpec, names: PodNames): NetOp[] {
    const shaping = this.shaping(spec, names);
    if (!shaping) {
      return [];
    }
    const shaped = shapingOps(shaping, spec.mtu ?? DEFAULT_MTU);
    return [...shaped.links, ...shaped.qdiscs];
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
