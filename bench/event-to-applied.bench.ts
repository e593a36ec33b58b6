// Event → applied on the node agent: from the allocator recording an event to the agent having applied it
// to its node (relay, JetStream, consumer and side effect), as the agent itself measures it into
// ipledger_agent_apply_duration_seconds. Pods come and go through the real CNI on two LocalCluster nodes;
// the histogram is scraped before and after, and only the difference counts.
import { type LocalCluster } from '../apps/devcluster/src/local-cluster.js';
import { type BenchContext, type BenchOutcome, type Benchmark } from './support/benchmark.js';
import { withLocalCluster } from './support/local-cluster-bench.js';
import {
  type Histogram,
  histogramDelta,
  parseHistogram,
  quantile,
  type QuantileEstimate,
  shareAtOrBelow,
} from './support/prometheus-histogram.js';
import { markdownTable, ms, percent } from './support/report.js';
import { sleep } from './support/deadline.js';

const METRIC = 'ipledger_agent_apply_duration_seconds';
const NODES = ['bench-ev-a', 'bench-ev-b'];
const PODS_PER_NODE = 40;
const WORKERS_PER_NODE = 2;
const TARGET_SECONDS = 0.1;

export const eventToApplied: Benchmark = {
  name: 'event-to-applied',
  title: 'Event → applied on the node agent',
  timeoutMs: 15 * 60_000,
  run,
};

async function run(ctx: BenchContext): Promise<BenchOutcome> {
  return withLocalCluster(
    {
      eniConfig: { min_pool_size: 4, max_pool_size: 12, ip_cooldown: '1s' },
      nodes: NODES.map((name) => ({ name, instanceType: 'ecs.g7.xlarge' })),
    },
    async (cluster) => {
      const before = await scrape(cluster);
      const started = Date.now();
      await churn(ctx, cluster);
      // The last DELs' events (IpReleased, then IpCooldownEnded a second later) are still on their way.
      await sleep(3_000);
      const after = await scrape(cluster);
      const delta = histogramDelta(after, before);
      ctx.log(`events: ${delta.count} applied in ${Math.round((Date.now() - started) / 1000)} s`);
      return report(delta);
    },
  );
}

async function scrape(cluster: LocalCluster): Promise<Histogram> {
  const texts = await Promise.all(NODES.map((node) => cluster.agentMetrics(node)));
  return parseHistogram(texts.join('\n'), METRIC);
}

/** Pods added and removed through the real CNI, a few at a time per node, so that events keep flowing. */
async function churn(ctx: BenchContext, cluster: LocalCluster): Promise<void> {
  const worker = async (node: string, pods: number) => {
    for (let i = 0; i < pods; i++) {
      ctx.signal.throwIfAborted();
      const pod = await cluster.addPod(node, { namespace: 'bench' });
      const outcome = await cluster.removePod(pod);
      if (outcome.code !== 0) {
        throw new Error(`CNI DEL on ${node} failed: ${outcome.stdout}${outcome.stderr}`);
      }
    }
  };
  const perWorker = PODS_PER_NODE / WORKERS_PER_NODE;
  await Promise.all(NODES.flatMap((node) => Array.from({ length: WORKERS_PER_NODE }, () => worker(node, perWorker))));
}

function estimate(q: QuantileEstimate): string {
  if (!Number.isFinite(q.value)) {
    return 'n/a';
  }
  const upper = q.upper === Infinity ? '∞' : ms(q.upper * 1000);
  return `≈ ${ms(q.value * 1000)} (bucket ${ms(q.lower * 1000)}–${upper})`;
}

function report(delta: Histogram): BenchOutcome {
  const p50 = quantile(delta, 0.5);
  const p99 = quantile(delta, 0.99);
  const within = shareAtOrBelow(delta, TARGET_SECONDS);
  const rows = delta.buckets.map((b, i) => [
    b.le === Infinity ? '+Inf' : ms(b.le * 1000),
    b.count - (i > 0 ? delta.buckets[i - 1].count : 0),
    b.count,
  ]);
  const body = [
    `Two LocalCluster nodes (ecs.g7.xlarge, policy-route); on each, ${WORKERS_PER_NODE} workers add and remove`,
    `${PODS_PER_NODE / WORKERS_PER_NODE} pods one after another through the real \`ipledger-cni\` (ADD then DEL), so`,
    'that the ledger records allocations, releases, cooldown ends and pool changes for those nodes. The figure is',
    "the node agent's own: for every event of its node, the time from the event's `recorded_at` in Postgres to the",
    'end of its side effect on the node (outbox relay, JetStream, durable consumer, handler), recorded into',
    `\`${METRIC}\`. The histogram of both agents is scraped before and after; only the difference counts.`,
    'Percentiles are estimated from histogram buckets (linear inside a bucket, as Prometheus does); the share',
    'within 100 ms is exact, 100 ms being a bucket boundary.',
    '',
    markdownTable(
      ['events', 'p50 (ms)', 'p99 (ms)', 'within 100 ms'],
      [[delta.count, estimate(p50), estimate(p99), percent(within)]],
    ),
    'Buckets (upper bound in ms, events in the bucket, cumulative):',
    '',
    markdownTable(['≤ ms', 'events', 'cumulative'], rows),
  ].join('\n');
  return {
    body,
    targets: [
      {
        label: 'events applied within 100 ms (p99 ≤ 100 ms)',
        measured: within,
        limit: 0.99,
        comparison: '>=',
        unit: '%',
      },
    ],
  };
}
