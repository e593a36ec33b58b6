// The dev cluster's workload, the same whichever driver makes nodes and pods: nodes join, pods are spread
// over them like a scheduler would, some are deleted and replaced, and every pod start is timed. It also
// assembles the summary and an address's history from the allocator's answers.
import { randomUUID } from 'node:crypto';
import { type ClusterDriver, type RunningPod } from './cluster-driver.js';
import { type NodePlan } from './cluster-plan.js';
import { type ClusterSnapshot, type PingMatrix, type PodRow } from './cluster-summary.js';
import { type DevOutput } from './dev-output.js';
import { clock, describeEvent } from './event-lines.js';
import { LatencySamples } from './latency.js';
import { chooseNode, nextChurnAction, type NodeLoad, pick, PodNamer } from './pod-churn.js';

/** Pods the reachability check pings between (every pair: n × (n − 1) probes). */
const PING_PODS = 6;

export class DevWorkload {
  readonly latency = new LatencySamples();
  private readonly running = new Map<string, RunningPod>();
  private readonly loads = new Map<string, NodeLoad>();
  private readonly tally = { started: 0, addressed: 0, failed: 0, released: 0 };
  private readonly releasedIps: string[] = [];

  constructor(
    private readonly driver: ClusterDriver,
    private readonly out: DevOutput,
    private readonly random: () => number = Math.random,
    private readonly namer = new PodNamer(randomUUID),
  ) {}

  get runningCount(): number {
    return this.running.size;
  }

  get failures(): number {
    return this.tally.failed;
  }

  /** Adds the nodes one after the other, then learns each node's pod limit from the allocator. */
  async addNodes(plans: readonly NodePlan[], signal: AbortSignal): Promise<void> {
    for (const plan of plans) {
      signal.throwIfAborted();
      await this.driver.addNode(plan);
    }
    const { nodes } = await this.driver.client.listNodes();
    for (const node of nodes) {
      this.loads.set(node.node, { name: node.node, maxPods: node.max_pods, running: 0 });
    }
  }

  /** Starts pods until `target` run (one attempt per missing pod), `concurrency` at a time, as a scaled-up Deployment. */
  async fill(target: number, signal: AbortSignal, concurrency = 4): Promise<void> {
    let remaining = target - this.running.size;
    const worker = async () => {
      while (!signal.aborted && remaining > 0) {
        remaining -= 1;
        await this.startOne();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  /** Deletes `count` pods, then starts as many new ones (a rollout): addresses go cooling, the pool refills. */
  async replace(count: number, signal: AbortSignal): Promise<void> {
    for (let i = 0; i < count && !signal.aborted && this.running.size > 0; i++) {
      await this.stopOne();
    }
    const target = this.running.size + count;
    await this.fill(target, signal, 2);
  }

  /** One step of continuous churn: a pod more or a pod less, around `target`. */
  async churnStep(target: number): Promise<void> {
    if (nextChurnAction(this.running.size, target, this.random) === 'add') {
      await this.startOne();
    } else {
      await this.stopOne();
    }
  }

  async startOne(): Promise<void> {
    const node = chooseNode([...this.loads.values()]);
    const pod = this.namer.next();
    this.tally.started += 1;
    if (!node) {
      this.tally.failed += 1;
      this.out.warn(`pod ${pod.namespace}/${pod.name}: every node is full`);
      return;
    }
    const load = this.loads.get(node)!;
    load.running += 1;
    const started = performance.now();
    try {
      const running = await this.driver.startPod(pod, node);
      this.latency.add(performance.now() - started);
      this.tally.addressed += 1;
      this.running.set(pod.uid, running);
    } catch (error) {
      load.running -= 1;
      this.tally.failed += 1;
      this.out.warn(`pod ${pod.namespace}/${pod.name} on ${node} got no address: ${firstLine(error)}`);
    }
  }

  async stopOne(): Promise<void> {
    if (this.running.size === 0) {
      return;
    }
    const victim = pick([...this.running.values()], this.random);
    this.running.delete(victim.pod.uid);
    this.loads.get(victim.node)!.running -= 1;
    try {
      await this.driver.stopPod(victim);
      this.tally.released += 1;
      this.releasedIps.push(victim.ip);
    } catch (error) {
      this.out.warn(`pod ${victim.pod.namespace}/${victim.pod.name}: release failed: ${firstLine(error)}`);
    }
  }

  /** The first address a pod gave back in this run (its history shows a whole life cycle), if any. */
  get firstReleasedIp(): string | null {
    return this.releasedIps[0] ?? null;
  }

  async snapshot(title: string, withPing: boolean): Promise<ClusterSnapshot> {
    const { nodes } = await this.driver.client.listNodes();
    const rows = this.podRows();
    return {
      title,
      nodes: [...nodes].sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true })),
      calls: this.driver.ecs.admin.callCounts(),
      pods: { ...this.tally, running: rows },
      latency: `\nPod start latency, ${this.driver.latencyLabel}: ${this.latency.describe()}\n`,
      ping: withPing ? await this.ping() : null,
    };
  }

  /** `who held <ip>, when`: the address's ledger entries as progress lines, oldest first. */
  async history(ip: string): Promise<string[]> {
    const lines: string[] = [];
    for await (const entry of this.driver.client.history({ ip }, { timeoutMs: 10_000 })) {
      const text = describeEvent({ type: entry.type, data: JSON.parse(entry.data_json) as unknown });
      lines.push(`  ${clock(entry.at)}  ${entry.type.padEnd(20)}  ${text}`);
    }
    return lines;
  }

  private podRows(): PodRow[] {
    return [...this.running.values()]
      .map((p) => ({ name: `${p.pod.namespace}/${p.pod.name}`, node: p.node, ip: p.ip, eni: p.eni }))
      .sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true }) || a.name.localeCompare(b.name));
  }

  /** Up to PING_PODS pods, every node's first pod before any node's second, pinged pairwise. */
  private async ping(): Promise<PingMatrix | null> {
    const byNode = new Map<string, RunningPod[]>();
    for (const pod of this.running.values()) {
      byNode.set(pod.node, [...(byNode.get(pod.node) ?? []), pod]);
    }
    const chosen: RunningPod[] = [];
    for (let round = 0; chosen.length < PING_PODS && chosen.length < this.running.size; round++) {
      for (const pods of byNode.values()) {
        if (pods[round] && chosen.length < PING_PODS) {
          chosen.push(pods[round]);
        }
      }
    }
    return chosen.length < 2 ? null : this.driver.reachability(chosen);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
