// The allocator-only dev cluster: ecs-sim in this process, the allocator as a child process, and nodes and
// pods played over the allocator's gRPC API, as node agents would call it (RegisterNode, AllocateIp after a
// pod's sandbox is created, ReleaseIp after its teardown). No dataplane, so no root needed.
import { join, resolve } from 'node:path';
import { type AllocatorClient, createAllocatorClient } from '@ipledger/proto';
import { type RunningEcsSim, startEcsSim } from '../../ecs-sim/src/index.js';
import { AllocatorProcess } from './allocator-process.js';
import { type ClusterDriver, type RunningPod } from './cluster-driver.js';
import { DEV_VSWITCHES, type NodePlan } from './cluster-plan.js';
import { type PingMatrix } from './cluster-summary.js';
import { portOrFree, PREFERRED_PORTS } from './local-ports.js';
import { type DevPod } from './pod-churn.js';

export const ALLOCATOR_MAIN = resolve(import.meta.dirname, '../../allocator/src/main.js');

export interface SimulatedDriverOptions {
  databaseUrl: string;
  natsUrl: string;
  eniConfig: Record<string, unknown>;
  logDir: string;
  /** Where ecs-sim reports its own trouble. */
  log: (line: string) => void;
  signal?: AbortSignal;
}

export class SimulatedDriver implements ClusterDriver {
  readonly description = 'allocator-only simulation: nodes and pods over gRPC, no dataplane';
  readonly latencyLabel = 'AllocateIp round trip';
  private readonly instances = new Map<string, string>();

  private constructor(
    readonly ecs: RunningEcsSim,
    private readonly allocator: AllocatorProcess,
    readonly client: AllocatorClient,
    readonly metricsAddr: string,
    private readonly allocatorLog: string,
  ) {}

  get allocatorAddr(): string {
    return this.allocator.address;
  }

  static async start(options: SimulatedDriverOptions): Promise<SimulatedDriver> {
    const ecs = await startEcsSim({
      port: await portOrFree(PREFERRED_PORTS.ecsSim),
      vswitches: DEV_VSWITCHES,
      log: options.log,
    });
    let allocator: AllocatorProcess | null = null;
    try {
      const address = `127.0.0.1:${await portOrFree(PREFERRED_PORTS.allocator)}`;
      const metricsAddr = `127.0.0.1:${await portOrFree(PREFERRED_PORTS.metrics)}`;
      const logFile = join(options.logDir, 'allocator.log');
      const env = {
        ...process.env,
        DATABASE_URL: options.databaseUrl,
        NATS_URL: options.natsUrl,
        IPLEDGER_GRPC_ADDR: address,
        IPLEDGER_METRICS_ADDR: metricsAddr,
        IPLEDGER_REPLICA_ID: 'dev-allocator-1',
        ECS_ENDPOINT: ecs.endpoint,
        ECS_REGION: ecs.regionId,
        IPLEDGER_ENI_CONFIG: JSON.stringify(options.eniConfig),
      };
      allocator = AllocatorProcess.start(ALLOCATOR_MAIN, env, address, logFile);
      await allocator.waitUntilServing(60_000, options.signal);
      const client = createAllocatorClient(address, { defaultTimeoutMs: 15_000 });
      return new SimulatedDriver(ecs, allocator, client, metricsAddr, logFile);
    } catch (error) {
      await allocator?.stop(2_000);
      await ecs.close();
      throw error;
    }
  }

  get allocatorPid(): number | undefined {
    return this.allocator.pid;
  }

  logFiles(): Record<string, string> {
    return { allocator: this.allocatorLog };
  }

  agentMetrics(): Record<string, string> {
    return {};
  }

  async addNode(plan: NodePlan): Promise<void> {
    const instance = await this.ecs.admin.createInstance({
      instanceType: plan.instanceType,
      zone: plan.zone,
      vswitchId: plan.primaryVSwitch,
    });
    this.instances.set(plan.name, instance.instanceId);
    await this.client.registerNode({
      node: plan.name,
      instance_id: instance.instanceId,
      instance_type: plan.instanceType,
      zone: plan.zone,
      mode: 'eniip',
    });
  }

  async startPod(pod: DevPod, node: string): Promise<RunningPod> {
    const allocation = await this.client.allocateIp({
      node,
      pod: { namespace: pod.namespace, name: pod.name, uid: pod.uid },
      container_id: pod.containerId,
      owner: pod.owner,
      idempotency_key: `${pod.uid}/${pod.containerId}`,
    });
    return { pod, node, ip: allocation.ip, eni: allocation.eni.id };
  }

  async stopPod(running: RunningPod): Promise<void> {
    const { pod } = running;
    await this.client.releaseIp({
      node: running.node,
      pod: { namespace: pod.namespace, name: pod.name, uid: pod.uid },
      container_id: pod.containerId,
      reason: 'pod deleted',
    });
  }

  reachability(): Promise<PingMatrix | null> {
    return Promise.resolve(null);
  }

  async stop(): Promise<void> {
    this.client.close();
    await this.allocator.stop(10_000);
    await this.ecs.close();
  }

  forceStop(): void {
    this.allocator.kill();
  }
}
