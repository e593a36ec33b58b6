// A whole ipledger cluster on this machine, on real Linux networking (DESIGN.md §9): ecs-sim with its VPC made
// of namespaces, the allocator process, and per node a namespace that plays the ECS instance plus its own
// node-agent process (in the root namespace, so it reaches 127.0.0.1, acting on the node's namespace). Pods are
// namespaces wired through the real ipledger-cni executable, as the kubelet would. Used by the end-to-end
// tests, `npm start` and the benchmarks. Postgres and NATS are the caller's (URLs in the options).
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { type CniResult, createAllocatorClient, type AllocatorClient, mutualTlsCredentials } from '@ipledger/proto';
import { startEcsSim, type RunningEcsSim } from '../../ecs-sim/src/index.js';
import { NetnsVpcFabric } from '../../ecs-sim/src/vpc/netns-vpc-fabric.js';
import { cniCall, CNI_NETWORK_NAME } from './cluster-cni.js';
import { DEFAULT_SERVICE_CIDR, LOCAL_CLUSTER_VSWITCHES, defaultEniConfig } from './cluster-defaults.js';
import { builtApps, clusterDirs, newClusterPrefix, type BuiltApps, type ClusterDirs } from './cluster-layout.js';
import { agentProcess, allocatorProcessFor, startAndAwaitAllocator, tail } from './cluster-processes.js';
import { ClusterProbes } from './cluster-probes.js';
import {
  type CniCallOptions,
  type ClusterNode,
  type ClusterPod,
  type LocalClusterOptions,
  type LocalClusterTls,
  type NodeOptions,
  type PodAttachment,
  type PodOptions,
} from './cluster-types.js';
import { invokeCni, type CniOutcome } from './cni-invocation.js';
import { addNetns, deleteNetns, execInNetns, type CommandOutcome } from './host-commands.js';
import { type ManagedProcess } from './managed-process.js';
import { freeLocalPort, waitUntil } from './wait.js';

export { CNI_NETWORK_NAME, DEFAULT_SERVICE_CIDR, LOCAL_CLUSTER_VSWITCHES, defaultEniConfig };
export type {
  CniCallOptions,
  ClusterNode,
  ClusterPod,
  LocalClusterOptions,
  LocalClusterTls,
  NodeOptions,
  PodAttachment,
  PodOptions,
};

export class LocalCluster {
  readonly nodes = new Map<string, ClusterNode>();
  readonly pods = new Map<string, ClusterPod>();
  readonly probes: ClusterProbes;
  private readonly namespaces: string[] = [];
  private podCount = 0;

  private constructor(
    readonly prefix: string,
    readonly ecs: RunningEcsSim,
    readonly vpcNetns: string,
    readonly allocatorAddr: string,
    readonly allocatorProcess: ManagedProcess,
    /** A client of the allocator, for tests to read the ledger. */
    readonly allocator: AllocatorClient,
    readonly serviceCidr: string,
    private readonly options: LocalClusterOptions,
    private readonly apps: BuiltApps,
    private readonly dirs: ClusterDirs,
    /** The operator's side of the allocator's mutual TLS; undefined on plaintext. */
    private readonly credentials: grpc.ChannelCredentials | undefined,
  ) {
    this.probes = new ClusterProbes(apps.probe);
  }

  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const apps = builtApps(options.distDir);
    const prefix = options.prefix ?? newClusterPrefix();
    const dirs = clusterDirs(options.workDir);
    const fabric = new NetnsVpcFabric({ netns: `${prefix}-vpc` });
    const ecs = await startEcsSim({ vswitches: LOCAL_CLUSTER_VSWITCHES, ...options.ecsSim, fabric });
    let allocatorProcess: ManagedProcess | null = null;
    try {
      const eniConfig = { ...defaultEniConfig(prefix), ...options.eniConfig };
      const serviceCidr = (eniConfig.service_cidr as string | undefined) ?? DEFAULT_SERVICE_CIDR;
      const grpcPort = await freeLocalPort();
      const allocatorAddr = `127.0.0.1:${grpcPort}`;
      allocatorProcess = allocatorProcessFor(apps, dirs, {
        DATABASE_URL: options.databaseUrl,
        NATS_URL: options.natsUrl,
        IPLEDGER_GRPC_ADDR: allocatorAddr,
        IPLEDGER_METRICS_ADDR: `127.0.0.1:${await freeLocalPort()}`,
        IPLEDGER_REPLICA_ID: `${prefix}-allocator`,
        ECS_ENDPOINT: ecs.endpoint,
        ECS_REGION: ecs.regionId,
        IPLEDGER_ENI_CONFIG: JSON.stringify(eniConfig),
        ...(options.tls ? allocatorTlsEnv(options.tls) : {}),
        ...options.allocatorEnv,
      });
      const running = allocatorProcess;
      const credentials = options.tls ? operatorCredentials(options.tls) : undefined;
      await startAndAwaitAllocator(running, allocatorAddr, credentials);
      const client = createAllocatorClient(allocatorAddr, { credentials, defaultTimeoutMs: 10_000 });
      return new LocalCluster(
        prefix,
        ecs,
        fabric.netns,
        allocatorAddr,
        running,
        client,
        serviceCidr,
        options,
        apps,
        dirs,
        credentials,
      );
    } catch (error) {
      await allocatorProcess?.stop('SIGKILL');
      await ecs.close();
      throw error;
    }
  }

  /** Starts the allocator process again (after stopAllocator) and waits until it serves gRPC. */
  async startAllocator(): Promise<void> {
    await startAndAwaitAllocator(this.allocatorProcess, this.allocatorAddr, this.credentials);
  }

  async stopAllocator(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.allocatorProcess.stop(signal);
  }

  get cniBin(): string {
    return this.apps.cniBin;
  }

  /**
   * A node: its namespace, its ECS instance (primary NIC plugged into the VPC) and its running agent, ready
   * for ADD unless `awaitReady` is false.
   */
  async addNode(options: NodeOptions): Promise<ClusterNode> {
    if (this.nodes.has(options.name)) {
      throw new Error(`node ${options.name} exists`);
    }
    const zone = options.zone ?? 'cn-hangzhou-h';
    const vswitchId = options.vswitchId ?? this.ecs.admin.state().vswitches.find((v) => v.zoneId === zone)?.vswitchId;
    if (!vswitchId) {
      throw new Error(`no vSwitch in zone ${zone}`);
    }
    const netns = `${this.prefix}-${options.name}`;
    this.namespaces.push(netns);
    await addNetns(netns);
    const instanceType = options.instanceType ?? 'ecs.g7.large';
    const instance = await this.ecs.admin.createInstance({ instanceType, zone, vswitchId, netns });
    const dir = this.dirs.nodeDir(options.name);
    const node: ClusterNode = {
      name: options.name,
      netns,
      instanceId: instance.instanceId,
      instanceType,
      zone,
      mode: options.mode ?? 'eniip',
      socket: join(dir, 'cni.sock'),
      stateDir: join(dir, 'state'),
      metricsUrl: '',
      agent: undefined as unknown as ManagedProcess,
    };
    const metricsPort = await freeLocalPort();
    node.metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    node.agent = agentProcess(this.apps, this.dirs, node, {
      IPLEDGER_ALLOCATOR_ADDR: this.allocatorAddr,
      NATS_URL: this.options.natsUrl,
      IPLEDGER_SERVICE_CIDR: this.serviceCidr,
      IPLEDGER_METRICS_ADDR: `127.0.0.1:${metricsPort}`,
      ...(this.options.tls ? agentTlsEnv(this.options.tls, node.name) : {}),
      ...this.options.agentEnv,
      ...options.env,
    });
    this.nodes.set(node.name, node);
    if (options.awaitReady === false) {
      node.agent.start();
    } else {
      await this.startAgent(node.name);
    }
    return node;
  }

  node(name: string): ClusterNode {
    const node = this.nodes.get(name);
    if (!node) {
      throw new Error(`no node ${name}`);
    }
    return node;
  }

  /** Starts the node's agent and waits until CNI STATUS says it serves ADD. */
  async startAgent(name: string): Promise<void> {
    const node = this.node(name);
    node.agent.start();
    await waitUntil(`the agent of ${name} is ready`, 90_000, async () => {
      if (!node.agent.running) {
        throw new Error(`agent of ${name} exited:\n${tail(node.agent.log())}`);
      }
      return (await this.cni(name, 'STATUS', null, { cniVersion: '1.1.0' })).code === 0;
    });
  }

  /** SIGTERM: a graceful stop; SIGKILL: a crash. */
  async stopAgent(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.node(name).agent.stop(signal);
  }

  async restartAgent(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.stopAgent(name, signal);
    await this.startAgent(name);
  }

  /** A pod namespace wired by CNI ADD through the node's agent; throws with the plugin's error on failure. */
  async addPod(nodeName: string, options: PodOptions = {}): Promise<ClusterPod> {
    const node = this.node(nodeName);
    const attachment = await this.createPodNamespace(options);
    const cniVersion = options.cniVersion ?? '1.0.0';
    const outcome = await this.cni(node.name, 'ADD', attachment, { cniVersion, bandwidth: options.bandwidth });
    if (outcome.code !== 0) {
      await deleteNetns(attachment.netns);
      throw new Error(`CNI ADD on ${node.name} failed (${outcome.code}): ${outcome.stdout}${outcome.stderr}`);
    }
    const result = outcome.json as CniResult;
    const ip = result.ips?.[0]?.address.split('/')[0];
    if (!ip) {
      throw new Error(`CNI ADD returned no address: ${outcome.stdout}`);
    }
    const pod: ClusterPod = { ...attachment, node: node.name, ip, result, cniVersion, bandwidth: options.bandwidth };
    this.pods.set(pod.containerId, pod);
    return pod;
  }

  /**
   * A pod sandbox as the runtime creates it before calling the plugin: its namespace (lo up) and the names a
   * CNI call needs. Deleted with the cluster; `addPod` is this plus CNI ADD.
   */
  async createPodNamespace(
    options: Pick<PodOptions, 'namespace' | 'name'> = {},
  ): Promise<PodAttachment & { netns: string }> {
    this.podCount += 1;
    const suffix = randomBytes(3).toString('hex');
    const netns = `${this.prefix}-p${this.podCount}-${suffix}`;
    this.namespaces.push(netns);
    await addNetns(netns);
    return {
      namespace: options.namespace ?? 'default',
      name: options.name ?? `pod-${this.podCount}-${suffix}`,
      uid: randomUUID(),
      containerId: `ctr${this.podCount}${suffix}${randomBytes(8).toString('hex')}`,
      netns,
      netnsPath: `/var/run/netns/${netns}`,
      ifName: 'eth0',
    };
  }

  /** CNI DEL, then the pod's namespace goes (as the runtime does); returns the DEL outcome. */
  async removePod(pod: ClusterPod): Promise<CniOutcome> {
    const outcome = await this.cni(pod.node, 'DEL', pod, { cniVersion: pod.cniVersion });
    await deleteNetns(pod.netns);
    this.pods.delete(pod.containerId);
    return outcome;
  }

  /** CNI CHECK of a pod against the result of its ADD. */
  checkPod(pod: ClusterPod): Promise<CniOutcome> {
    return this.cni(pod.node, 'CHECK', pod, { cniVersion: pod.cniVersion, prevResult: pod.result });
  }

  /**
   * Any CNI command through the real executable against the node's agent. `pod` null: no attachment variables
   * (STATUS, GC). `netconf` keys are merged into the generated network configuration.
   */
  cni(nodeName: string, command: string, pod: PodAttachment | null, options: CniCallOptions = {}): Promise<CniOutcome> {
    const node = this.node(nodeName);
    return invokeCni({ bin: this.apps.cniBin, command, ...cniCall(node.socket, this.apps.cniBin, pod, options) });
  }

  /** ICMP echo from inside `from` (a pod or node namespace) to each address: which ones answered. */
  ping(from: { netns: string }, ips: readonly string[], timeoutMs = 3000): Promise<Record<string, boolean>> {
    return this.probes.ping(from.netns, ips, timeoutMs);
  }

  /** A TCP handshake to a closed port from inside `from`: the peer's kernel answers, no server needed. */
  reach(from: { netns: string }, ips: readonly string[], timeoutMs = 3000): Promise<Record<string, boolean>> {
    return this.probes.reach(from.netns, ips, timeoutMs);
  }

  /** Bytes sent over TCP from one namespace to a sink listening on `toIp` in another; the rate the sink saw. */
  transferRate(from: { netns: string }, to: { netns: string }, toIp: string, bytes: number): Promise<number> {
    return this.probes.transferRate(from.netns, to.netns, toIp, bytes);
  }

  exec(netns: string, argv: readonly string[]): Promise<CommandOutcome> {
    return execInNetns(netns, argv, 30_000);
  }

  agentLog(name: string): string {
    return this.node(name).agent.log();
  }

  allocatorLog(): string {
    return this.allocatorProcess.log();
  }

  /** The agent's Prometheus text (e.g. ipledger_agent_apply_duration_seconds). */
  async agentMetrics(name: string): Promise<string> {
    const response = await fetch(this.node(name).metricsUrl);
    return response.text();
  }

  /** Stops everything the cluster started and deletes its namespaces; keeps going past failures. */
  async stop(): Promise<void> {
    const failures: unknown[] = [];
    const attempt = async (step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    };
    await this.probes.stop();
    for (const node of this.nodes.values()) {
      await attempt(() => node.agent.stop('SIGTERM', 5_000));
    }
    this.allocator.close();
    await attempt(() => this.allocatorProcess.stop('SIGTERM', 5_000));
    for (const netns of this.namespaces.reverse()) {
      await attempt(() => deleteNetns(netns));
    }
    await attempt(() => this.ecs.close());
    if (!this.options.workDir && !process.env.IPLEDGER_KEEP_CLUSTER_LOGS) {
      rmSync(this.dirs.root, { recursive: true, force: true });
    }
    if (failures.length > 0) {
      throw new AggregateError(failures, `local cluster ${this.prefix}: cleanup incomplete`);
    }
  }

  get workDir(): string {
    return this.dirs.root;
  }
}

function allocatorTlsEnv(tls: LocalClusterTls): Record<string, string> {
  return {
    IPLEDGER_TLS_CERT: tls.allocator.certFile,
    IPLEDGER_TLS_KEY: tls.allocator.keyFile,
    IPLEDGER_TLS_CA: tls.caFile,
  };
}

function agentTlsEnv(tls: LocalClusterTls, node: string): Record<string, string> {
  const pair = tls.node(node);
  return {
    IPLEDGER_ALLOCATOR_TLS_CERT: pair.certFile,
    IPLEDGER_ALLOCATOR_TLS_KEY: pair.keyFile,
    IPLEDGER_ALLOCATOR_TLS_CA: tls.caFile,
  };
}

function operatorCredentials(tls: LocalClusterTls): grpc.ChannelCredentials {
  return mutualTlsCredentials({
    ca: readFileSync(tls.caFile),
    cert: readFileSync(tls.operator.certFile),
    key: readFileSync(tls.operator.keyFile),
  });
}

export const startLocalCluster = (options: LocalClusterOptions): Promise<LocalCluster> => LocalCluster.start(options);
