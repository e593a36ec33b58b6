// The node-local protocol between the `ipledger-cni` executable and the node agent: HTTP/1.1 over a unix
// socket (mode 0600, default /run/ipledger/cni.sock, overridable by the CNI config key `agentSocket`).
// The CNI binary validates its environment and stdin, then sends exactly one request:
//
//   POST /v1/cni   body: CniAgentRequest (JSON)
//
// 200 carries a CNI result for ADD and `{}` for DEL, CHECK, STATUS and GC; any other status carries a
// CniErrorBody. The binary prints the ADD result and every error body to stdout unchanged; on DEL, CHECK,
// STATUS and GC success it prints nothing, as the spec asks. The agent never answers half-done: on failure it
// has rolled back what it set up.

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC';

export const CNI_SPEC_VERSIONS = ['1.0.0', '1.1.0'] as const;
export type CniSpecVersion = (typeof CNI_SPEC_VERSIONS)[number];

/** Well-known CNI error codes (CNI spec §"Error"): 1-99 are the spec's, 100+ are ours. */
export const CniErrorCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnvironment: 4,
  IoFailure: 5,
  DecodeFailure: 6,
  InvalidNetworkConfig: 7,
  TryAgainLater: 11,
  /** STATUS (spec 1.1): the plugin cannot serve ADD now (agent down, node not registered, no IP obtainable). */
  PluginNotAvailable: 50,
  /** STATUS (spec 1.1): as 50, and pods already on this network may have limited connectivity. */
  LimitedConnectivityNoService: 51,
  /** The allocator said no address can be had now (pool, vSwitch or ENI limit). */
  NoAddressAvailable: 100,
  /** The agent failed to set up the pod's network; everything was rolled back. */
  DataplaneFailure: 101,
  /** The request does not fit the ledger's current state (DomainError `illegal-state`). */
  IllegalState: 102,
  /** Anything unexpected; the same number libcni uses for a plugin's internal errors. */
  Internal: 999,
} as const;

export interface CniErrorBody {
  cniVersion: string;
  code: number;
  msg: string;
  details?: string;
}

/** Parsed CNI_ARGS as the kubelet sets them. */
export interface CniK8sArgs {
  K8S_POD_NAMESPACE?: string;
  K8S_POD_NAME?: string;
  K8S_POD_UID?: string;
  K8S_POD_INFRA_CONTAINER_ID?: string;
  [key: string]: string | undefined;
}

export interface CniBandwidth {
  ingressRate?: number; // bits per second
  ingressBurst?: number; // bits
  egressRate?: number;
  egressBurst?: number;
}

/** The network configuration the runtime passed on stdin, as far as ipledger reads it. */
export interface IpledgerNetConf {
  cniVersion: string;
  name: string;
  type: string;
  agentSocket?: string;
  /** How long the binary waits for the agent's reply before answering 11 (default 60, at most 600). */
  agentTimeoutSeconds?: number;
  mtu?: number;
  runtimeConfig?: { bandwidth?: CniBandwidth; [key: string]: unknown };
  prevResult?: CniResult;
  /** GC (spec 1.1): attachments the runtime still knows; everything else of this network may go. */
  'cni.dev/valid-attachments'?: { containerID: string; ifname: string }[];
  [key: string]: unknown;
}

export interface CniAgentRequest {
  command: CniCommand;
  containerId: string;
  netns: string;
  ifName: string;
  args: CniK8sArgs;
  netconf: IpledgerNetConf;
  /** W3C traceparent of the CNI invocation, so the trace continues in the agent and the allocator. */
  traceparent?: string;
}

export interface CniInterface {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
}

export interface CniIpConfig {
  address: string; // CIDR notation
  gateway?: string;
  interface?: number;
}

export interface CniRoute {
  dst: string;
  gw?: string;
}

export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIpConfig[];
  routes?: CniRoute[];
  dns?: { nameservers?: string[]; domain?: string; search?: string[]; options?: string[] };
}

export const DEFAULT_CNI_SOCKET = '/run/ipledger/cni.sock';
export const CNI_AGENT_PATH = '/v1/cni';
export const DEFAULT_CNI_AGENT_TIMEOUT_SECONDS = 60;
