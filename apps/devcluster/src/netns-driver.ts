// The dev cluster on real Linux networking, through the LocalCluster harness: ecs-sim's VPC made of
// namespaces, the allocator, a namespace and a node agent per node, and pods as namespaces wired by the
// ipledger-cni executable, as the kubelet would. Needs root.
import { type AllocatorClient } from '@ipledger/proto';
import { type RunningEcsSim } from '../../ecs-sim/src/index.js';
import { type ClusterDriver, type RunningPod } from './cluster-driver.js';
import { DEV_VSWITCHES, type NodePlan } from './cluster-plan.js';
import { type PingMatrix } from './cluster-summary.js';
import { type ClusterPod, LocalCluster } from './local-cluster.js';
import { portOrFree, PREFERRED_PORTS } from './local-ports.js';
import { DEV_NETNS_PREFIX } from './netns-check.js';
import { type DevPod } from './pod-churn.js';

export interface NetnsDriverOptions {
  databaseUrl: string;
  natsUrl: string;
  eniConfig: Record<string, unknown>;
  /** The harness's logs, sockets and agent state. */
  workDir: string;
  log: (line: string) => void;
}

export class NetnsDriver implements ClusterDriver {
  readonly description = 'nodes and pods as network namespaces (CNI plugin, node agents, VPC fabric)';
  readonly latencyLabel = 'CNI ADD → node agent → allocator → dataplane';
  private readonly pods = new Map<string, ClusterPod>();

  private constructor(
    private readonly cluster: LocalCluster,
    readonly metricsAddr: string,
  ) {}

  static async start(options: NetnsDriverOptions): Promise<NetnsDriver> {
    const metricsAddr = `127.0.0.1:${await portOrFree(PREFERRED_PORTS.metrics)}`;
    const cluster = await LocalCluster.start({
      databaseUrl: options.databaseUrl,
      natsUrl: options.natsUrl,
      prefix: DEV_NETNS_PREFIX,
      eniConfig: options.eniConfig,
      ecsSim: { port: await portOrFree(PREFERRED_PORTS.ecsSim), vswitches: DEV_VSWITCHES, log: options.log },
      allocatorEnv: { IPLEDGER_METRICS_ADDR: metricsAddr, IPLEDGER_REPLICA_ID: 'dev-allocator-1' },
      workDir: options.workDir,
    });
    return new NetnsDriver(cluster, metricsAddr);
  }

  get client(): AllocatorClient {
    return this.cluster.allocator;
  }

  get ecs(): RunningEcsSim {
    return this.cluster.ecs;
  }

  get allocatorAddr(): string {
    return this.cluster.allocatorAddr;
  }

  logFiles(): Record<string, string> {
    const files: Record<string, string> = { allocator: this.cluster.allocatorProcess.logFile };
    for (const node of this.cluster.nodes.values()) {
      files[`agent ${node.name}`] = node.agent.logFile;
    }
    return files;
  }

  agentMetrics(): Record<string, string> {
    return Object.fromEntries([...this.cluster.nodes.values()].map((node) => [node.name, node.metricsUrl]));
  }

  async addNode(plan: NodePlan): Promise<void> {
    await this.cluster.addNode({
      name: plan.name,
      instanceType: plan.instanceType,
      zone: plan.zone,
      vswitchId: plan.primaryVSwitch,
    });
  }

  async startPod(pod: DevPod, node: string): Promise<RunningPod> {
    const added = await this.cluster.addPod(node, { namespace: pod.namespace, name: pod.name });
    this.pods.set(pod.uid, added);
    // The harness mints the pod's uid and container id itself; the allocator knows which ENI holds the address.
    const allocation = await this.cluster.allocator.getAllocation({ ip: added.ip }).catch(() => null);
    return { pod, node, ip: added.ip, eni: allocation?.eni.id ?? '' };
  }

  async stopPod(running: RunningPod): Promise<void> {
    const added = this.pods.get(running.pod.uid);
    if (!added) {
      return;
    }
    this.pods.delete(running.pod.uid);
    const outcome = await this.cluster.removePod(added);
    if (outcome.code !== 0) {
      throw new Error(`CNI DEL failed (${outcome.code}): ${outcome.stdout}${outcome.stderr}`);
    }
  }

  /** From inside each pod's namespace, an ICMP echo to every other pod's address. */
  async reachability(pods: readonly RunningPod[]): Promise<PingMatrix | null> {
    const sources = pods.map((pod) => this.pods.get(pod.pod.uid));
    const ips = pods.map((pod) => pod.ip);
    const reachable: boolean[][] = [];
    for (const [i, source] of sources.entries()) {
      const answers = source
        ? await this.cluster.ping(
            source,
            ips.filter((_, j) => j !== i),
          )
        : {};
      reachable.push(ips.map((ip, j) => i !== j && answers[ip] === true));
    }
    return {
      pods: pods.map((p) => ({ name: `${p.pod.namespace}/${p.pod.name}`, node: p.node, ip: p.ip, eni: p.eni })),
      reachable,
    };
  }

  async stop(): Promise<void> {
    await this.cluster.stop();
  }

  forceStop(): void {
    this.cluster.allocatorProcess.stop('SIGKILL').catch(() => undefined);
    for (const node of this.cluster.nodes.values()) {
      node.agent.stop('SIGKILL').catch(() => undefined);
    }
  }
}
