// Cloud calls per 1,000 pods on a cold cluster: a fresh ledger, 50 registered nodes with empty pools
// (min_pool_size 0), then 1,000 AllocateIp calls in quick waves. The calls the allocator made are counted
// by ecs-sim per API and set against the fewest calls that could have served the same pods.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type AllocatorClient, AllocatorRpcError } from '@ipledger/proto';
import { type CallCountsByApi, DEFAULT_INSTANCE_TYPES } from '../apps/ecs-sim/src/index.js';
import { allocatorChannels } from './support/allocator-clients.js';
import { allocatorMissing, tail } from './support/allocator-process.js';
import { type BenchCluster, startBenchCluster } from './support/bench-cluster.js';
import { type BenchContext, type BenchOutcome, type Benchmark, NotMeasured } from './support/benchmark.js';
import { sleep, waitFor } from './support/deadline.js';
import { type MinimumCalls, minimumCalls } from './support/minimum-calls.js';
import { markdownTable, ms, ratio } from './support/report.js';
import { elapsedMs, summarize } from './support/stats.js';

const NODES = 50;
const PODS = 1_000;
const WAVES = 10;
const WAVE_GAP_MS = 25;
const INSTANCE_TYPE = 'ecs.g7.xlarge';
const MUTATING_APIS = [
  'CreateNetworkInterface',
  'AttachNetworkInterface',
  'AssignPrivateIpAddresses',
  'UnassignPrivateIpAddresses',
  'DetachNetworkInterface',
  'DeleteNetworkInterface',
] as const;
const RETRYABLE = new Set(['RESOURCE_EXHAUSTED', 'UNAVAILABLE', 'DEADLINE_EXCEEDED']);

export const cloudCalls: Benchmark = {
  name: 'cloud-calls',
  title: 'Cloud calls per 1,000 pods on a cold cluster',
  timeoutMs: 10 * 60_000,
  run,
};

async function run(ctx: BenchContext): Promise<BenchOutcome> {
  const missing = allocatorMissing();
  if (missing) {
    throw new NotMeasured(missing);
  }
  const type = DEFAULT_INSTANCE_TYPES.find((t) => t.instanceTypeId === INSTANCE_TYPE)!;
  ctx.log(`cloud calls: fresh cluster of ${NODES} × ${INSTANCE_TYPE}, min_pool_size 0`);
  const cluster = await startBenchCluster({
    label: 'cold',
    nodes: NODES,
    instanceType: INSTANCE_TYPE,
    eniConfig: { min_pool_size: 0, max_pool_size: 5 },
  });
  const channels = allocatorChannels(cluster.allocator.address, 8);
  try {
    // Registration looked up the instance type; the burst's calls are counted from here.
    cluster.ecs.admin.resetCallCounts();
    const burst = await allocateBurst(ctx, cluster, channels);
    if (burst.failures.length > 0) {
      ctx.log(`cloud calls: the allocator's log ends with:\n${tail(join(cluster.workDir, 'allocator.log'), 20)}`);
      throw new Error(`${burst.failures.length} of ${PODS} AllocateIp calls failed, e.g. ${burst.failures[0]}`);
    }
    await quiet(cluster);
    const counts = cluster.ecs.admin.callCounts();
    const minimum = minimumCalls([...burst.podsPerNode.values()], type.eniPrivateIpAddressQuantity);
    return report(counts, minimum, burst, type.eniPrivateIpAddressQuantity);
  } finally {
    channels.forEach((c) => c.close());
    await cluster.stop();
  }
}

interface Burst {
  podsPerNode: Map<string, number>;
  latencies: number[];
  retries: number;
  failures: string[];
  wallMs: number;
}

async function allocateBurst(ctx: BenchContext, cluster: BenchCluster, channels: readonly AllocatorClient[]) {
  const nodes = cluster.nodes.map((n) => n.node);
  const runId = randomBytes(3).toString('hex');
  const burst: Burst = { podsPerNode: new Map(), latencies: [], retries: 0, failures: [], wallMs: 0 };
  const start = process.hrtime.bigint();
  const calls: Promise<void>[] = [];
  const perWave = PODS / WAVES;
  for (let wave = 0; wave < WAVES; wave++) {
    for (let i = 0; i < perWave; i++) {
      const n = wave * perWave + i;
      calls.push(allocateOne(ctx, channels[n % channels.length], nodes[n % nodes.length], `${runId}-${n}`, burst));
    }
    await sleep(WAVE_GAP_MS);
  }
  await Promise.all(calls);
  burst.wallMs = elapsedMs(start);
  ctx.log(`cloud calls: ${PODS} pods placed in ${ms(burst.wallMs)} ms, ${burst.retries} retries`);
  return burst;
}

async function allocateOne(ctx: BenchContext, client: AllocatorClient, node: string, id: string, burst: Burst) {
  const pod = { namespace: 'bench', name: `cold-${id}`, uid: `uid-${id}` };
  const request = { node, pod, container_id: `ctr-${id}`, idempotency_key: `uid-${id}/ctr-${id}` };
  const start = process.hrtime.bigint();
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await client.allocateIp(request, { timeoutMs: 60_000 });
      burst.latencies.push(elapsedMs(start));
      burst.podsPerNode.set(node, (burst.podsPerNode.get(node) ?? 0) + 1);
      return;
    } catch (error) {
      const code = error instanceof AllocatorRpcError ? error.codeName : '';
      if (!RETRYABLE.has(code) || Date.now() > deadline || ctx.signal.aborted) {
        burst.failures.push((error as Error).message);
        return;
      }
      burst.retries += 1;
      await sleep(200);
    }
  }
}

/** Waits until attaches and detaches settled and no cloud call happened for 3 s (late trims count too). */
async function quiet(cluster: BenchCluster): Promise<void> {
  await cluster.ecs.admin.settle();
  let last = -1;
  let stableSince = Date.now();
  await waitFor(
    () => {
      const total = cluster.ecs.admin.totalCalls();
      if (total !== last) {
        last = total;
        stableSince = Date.now();
      }
      return Date.now() - stableSince >= 3_000 ? true : undefined;
    },
    60_000,
    'cloud calls to stop',
    250,
  );
}

function report(counts: CallCountsByApi, minimum: MinimumCalls, burst: Burst, ipsPerEni: number): BenchOutcome {
  const mutating = MUTATING_APIS.reduce((sum, api) => sum + counts[api].calls, 0);
  const describes = Object.entries(counts).filter(([api]) => api.startsWith('Describe'));
  const minimumOf: Partial<Record<string, number>> = {
    CreateNetworkInterface: minimum.creates,
    AttachNetworkInterface: minimum.attaches,
    AssignPrivateIpAddresses: minimum.assigns,
  };
  const rows = [...MUTATING_APIS, ...describes.map(([api]) => api)].map((api) => {
    const c = counts[api as keyof CallCountsByApi];
    return [
      api,
      c.calls,
      c.succeeded,
      c.throttled + c.faulted + c.failed,
      minimumOf[api] ?? (api.startsWith('Describe') ? 'n/a' : 0),
    ];
  });
  const placed = [...burst.podsPerNode.values()].reduce((a, b) => a + b, 0);
  const latency = summarize(burst.latencies);
  const body = [
    `${NODES} nodes of ${INSTANCE_TYPE} (${ipsPerEni} addresses per ENI, the primary included) registered with`,
    `empty pools (\`min_pool_size: 0\`, \`max_pool_size: 5\`). Then ${PODS} AllocateIp calls, one per new pod,`,
    `spread evenly over the nodes, sent in ${WAVES} waves of ${PODS / WAVES}, ${WAVE_GAP_MS} ms apart, without waiting`,
    `for answers (a burst, as when a Deployment is scaled up). Calls are counted by ecs-sim per API from the first`,
    "AllocateIp until no cloud call happened for 3 s (so late trims count too); the registration's",
    'DescribeInstanceTypes is not part of it.',
    '',
    `Minimum for the pods placed: per node, ENIs filled one after another (${ipsPerEni} pod addresses each), one`,
    'CreateNetworkInterface (which brings the primary address) and one AttachNetworkInterface per ENI, plus',
    `⌈secondary addresses / 10⌉ AssignPrivateIpAddresses per ENI: ${minimum.enis} ENIs → ${minimum.creates} + ${minimum.attaches} + ${minimum.assigns} = **${minimum.total} calls**.`,
    'Describe calls (polls for attachment, vSwitch capacity) are not in the minimum and not in the ratio; they',
    'are listed on their own.',
    '',
    markdownTable(['API', 'calls', 'succeeded', 'throttled / faulted / failed', 'minimum'], rows),
    `Mutating calls: **${mutating}** for ${placed} pods (minimum ${minimum.total}): ${ratio(mutating / minimum.total)} the minimum.`,
    `Pods placed: ${placed} of ${PODS}, in ${ms(burst.wallMs)} ms; AllocateIp latency on this cold path p50 ${ms(latency.p50)} ms,`,
    `p99 ${ms(latency.p99)} ms; ${burst.retries} client retries.`,
    '',
  ].join('\n');
  return {
    body,
    targets: [
      {
        label: 'mutating cloud calls ÷ minimum',
        measured: mutating / minimum.total,
        limit: 1.1,
        comparison: '<=',
        unit: '×',
      },
    ],
  };
}
