// What every dataplane offers the node agent: set a pod up, take it down, and say what is wrong with it.
import { type CniBandwidth, type CniInterface, type CniIpConfig, type CniRoute } from '@ipledger/proto';

/** The ENI as the ledger describes it (Allocation.eni plus its vSwitch). */
export interface EniSpec {
  mac: string;
  /** The vSwitch gateway. */
  gateway: string;
  /** The vSwitch CIDR, e.g. `10.0.1.0/24`. */
  vswitchCidr: string;
  /** The ENI's primary private IP. */
  primaryIp: string;
}

export interface PodSpec {
  /** CNI_CONTAINERID: every host-side name is derived from it (pod-naming.ts). */
  containerId: string;
  /** CNI_NETNS: a path (/var/run/netns/x, /proc/<pid>/ns/net) or a name under /run/netns. */
  netns: string;
  /** CNI_IFNAME, normally `eth0`. */
  ifName: string;
  /** The pod's IPv4 address. */
  ip: string;
  eni: EniSpec;
  /** CNI runtimeConfig.bandwidth: rates in bits/s, bursts in bits. */
  bandwidth?: CniBandwidth;
  mtu?: number;
}

export type PolicyRoutePodSpec = PodSpec;

export interface ExclusiveEniPodSpec extends PodSpec {
  /** Routed to the host through veth1, so kube-proxy's Service handling applies. */
  serviceCidr: string;
  /** The node's own addresses, also reached through veth1. */
  nodeIps: string[];
}

/** Enough to remove a pod even when its netns is already gone or the ledger lost part of it. */
export interface PodTeardownSpec {
  containerId: string;
  netns?: string;
  /** When absent, found from the host route of the pod's veth (if that still exists). */
  ip?: string;
}

export interface ExclusiveEniTeardownSpec extends PodTeardownSpec {
  eni: Pick<EniSpec, 'mac'>;
}

/** The CNI result pieces the agent forwards to the runtime (it adds cniVersion). */
export interface PodNetworkResult {
  interfaces: CniInterface[];
  ips: CniIpConfig[];
  routes: CniRoute[];
}

export type ProblemCode =
  | 'eni-missing'
  | 'eni-table'
  | 'sysctl'
  | 'host-link'
  | 'host-route'
  | 'host-rule'
  | 'pod-netns'
  | 'pod-link'
  | 'pod-address'
  | 'pod-route'
  | 'pod-neighbour'
  | 'bandwidth';

export interface DataplaneProblem {
  code: ProblemCode;
  detail: string;
}

export interface Dataplane<Spec extends PodSpec, Teardown extends PodTeardownSpec> {
  readonly kind: 'policy-route' | 'eni';
  /** Idempotent; on failure everything it created is removed again before it throws. */
  setup(spec: Spec): Promise<PodNetworkResult>;
  /** Idempotent; succeeds when the pod is already gone. */
  teardown(spec: Teardown): Promise<void>;
  /** Empty when the pod's network is as setup leaves it. */
  check(spec: Spec): Promise<DataplaneProblem[]>;
}

export const problem = (code: ProblemCode, detail: string): DataplaneProblem => ({ code, detail });
