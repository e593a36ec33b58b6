// The shapes a local cluster is described and answered in: options, nodes, pods.
import { type CniBandwidth, type CniResult } from '@ipledger/proto';
import { type EcsSimOptions } from '../../ecs-sim/src/index.js';
import { type ManagedProcess } from './managed-process.js';

export interface LocalClusterOptions {
  databaseUrl: string;
  natsUrl: string;
  /** Every namespace of the cluster starts with it; default `ipl-<6 hex>`. */
  prefix?: string;
  /** Keys merged over the default eni-config (vSwitches per zone, security group, service_cidr, ...). */
  eniConfig?: Record<string, unknown>;
  /** More ecs-sim options (vSwitches, instance types, latency); the fabric is always the netns one. */
  ecsSim?: Omit<EcsSimOptions, 'fabric'>;
  /** Extra environment of the allocator and of every agent. */
  allocatorEnv?: Record<string, string>;
  agentEnv?: Record<string, string>;
  /** Built apps; default IPLEDGER_DIST_DIR or <repo>/dist. */
  distDir?: string;
  /** Logs, sockets and agent state; default a new temporary directory (removed on stop). */
  workDir?: string;
  /** Mutual TLS between the cluster's processes; default plaintext. */
  tls?: LocalClusterTls;
}

/** PEM files; the cluster reads none of them itself, it only passes their paths on. */
export interface TlsKeyPair {
  certFile: string;
  keyFile: string;
}

/**
 * Certificates for a cluster whose allocator requires mutual TLS (docs/api.md): the allocator serves with
 * `allocator` (it must name 127.0.0.1, the address everyone dials), the cluster's own client and its health
 * checks present `operator` (CN operator:<name>), and each agent presents `node(name)` (CN node:<name>).
 * One CA signs them all and is trusted both ways.
 */
export interface LocalClusterTls {
  caFile: string;
  allocator: TlsKeyPair;
  operator: TlsKeyPair;
  node(name: string): TlsKeyPair;
}

export interface NodeOptions {
  /** A Kubernetes node name, e.g. `node-a`. */
  name: string;
  /** Default ecs.g7.large (3 ENIs of 6 addresses). */
  instanceType?: string;
  /** Where the instance's primary NIC lives; default the first vSwitch of `zone`. */
  vswitchId?: string;
  /** Default cn-hangzhou-h. */
  zone?: string;
  mode?: 'eniip' | 'eni';
  /** Over the cluster's agent environment (an empty value counts as unset, as for every agent variable). */
  env?: Record<string, string>;
  /** false: return once the agent is started, without waiting for it to serve ADD (default true). */
  awaitReady?: boolean;
}

export interface ClusterNode {
  name: string;
  /** The namespace that plays the ECS instance. */
  netns: string;
  instanceId: string;
  instanceType: string;
  zone: string;
  mode: 'eniip' | 'eni';
  socket: string;
  stateDir: string;
  metricsUrl: string;
  agent: ManagedProcess;
}

export interface PodOptions {
  namespace?: string;
  name?: string;
  /** CNI runtimeConfig.bandwidth (bits per second; bursts in bits). */
  bandwidth?: CniBandwidth;
  cniVersion?: '1.0.0' | '1.1.0';
}

export interface ClusterPod {
  node: string;
  namespace: string;
  name: string;
  uid: string;
  containerId: string;
  /** The pod's namespace name; its CNI_NETNS is /var/run/netns/<netns>. */
  netns: string;
  netnsPath: string;
  ifName: string;
  ip: string;
  result: CniResult;
  cniVersion: string;
  bandwidth?: CniBandwidth;
}

/** What a CNI call names of a pod; a ClusterPod fits. */
export type PodAttachment = Pick<ClusterPod, 'namespace' | 'name' | 'uid' | 'containerId' | 'netnsPath' | 'ifName'>;

/** Knobs of one CNI call through the executable (see LocalCluster.cni). */
export interface CniCallOptions {
  cniVersion?: string;
  bandwidth?: CniBandwidth;
  prevResult?: CniResult;
  /** Keys merged into the generated network configuration (undefined removes a key). */
  netconf?: Record<string, unknown>;
  /** Variables over the generated CNI_* ones (undefined unsets one). */
  env?: Record<string, string | undefined>;
  /** Replaces the whole configuration document. */
  stdin?: string;
}
