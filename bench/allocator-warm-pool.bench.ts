// Allocator on a warm pool: AllocateIp + ReleaseIp pairs against the real allocator process (real Postgres,
// nats-server, in-process ecs-sim) at 1, 16 and 64 concurrent clients, beside the raw single-row insert
// transaction rate of the same Postgres server at the same concurrencies.
import { randomBytes } from 'node:crypto';
import { type AllocatorClient } from '@ipledger/proto';
import { adminDatabaseUrl } from '@ipledger/testing';
import { allocatorChannels } from './support/allocator-clients.js';
import { allocatorMissing } from './support/allocator-process.js';
import { dropBenchDatabase, postgresSettings, RAW_DATABASE, resetBenchDatabase } from './support/bench-database.js';
import { type BenchCluster, startBenchCluster } from './support/bench-cluster.js';
import { type BenchContext, type BenchOutcome, type Benchmark, NotMeasured } from './support/benchmark.js';
import { closedLoop, errorText } from './support/closed-loop.js';
import { busyShare, machineCpu, processCpuMs } from './support/cpu-usage.js';
import { markdownTable, ms, rate, percent } from './support/report.js';
import { measureRawInserts, prepareRawInsertTable, type RawInsertResult } from './support/raw-insert.js';
import { elapsedMs, type LatencySummary, summarize } from './support/stats.js';

const CONCURRENCIES = [1, 16, 64];
const NODES = 50;
const INSTANCE_TYPE = 'ecs.g7.xlarge';
const MIN_POOL = 10;
const WARMUP_MS = 3_000;
const MEASURE_MS = 8_000;
const RAW_MS = 5_000;
const CHANNELS = 8;

interface LevelResult {
  concurrency: number;
  pairs: number;
  pairsPerSecond: number;
  pair: LatencySummary;
  allocate: LatencySummary;
  release: LatencySummary;
  cloudCalls: number;
  /** CPU milliseconds the allocator process used per call (AllocateIp or ReleaseIp). */
  allocatorCpuMsPerCall: number;
  /** Busy share of all cores during the measured window. */
  machineBusy: number;
  errors: string;
}

export const allocatorWarmPool: Benchmark = {
  name: 'allocator-warm-pool',
  title: 'Allocator: AllocateIp + ReleaseIp on a warm pool',
  timeoutMs: 15 * 60_000,
  run,
};

async function run(ctx: BenchContext): Promise<BenchOutcome> {
  const missing = allocatorMissing();
  if (missing) {
    throw new NotMeasured(missing);
  }
  const rawBefore = await rawBaseline(ctx, 'before');
  ctx.log(`warm pool: starting ${NODES} nodes (${INSTANCE_TYPE}, min_pool_size ${MIN_POOL})`);
  const cluster = await startBenchCluster({
    label: 'warm',
    nodes: NODES,
    instanceType: INSTANCE_TYPE,
    eniConfig: { min_pool_size: MIN_POOL, max_pool_size: 40, ip_cooldown: '1s' },
    waitForIdle: MIN_POOL,
  });
  const levels: LevelResult[] = [];
  const channels = allocatorChannels(cluster.allocator.address, CHANNELS);
  try {
    for (const concurrency of CONCURRENCIES) {
      ctx.signal.throwIfAborted();
      levels.push(await measureLevel(ctx, cluster, channels, concurrency));
    }
  } finally {
    channels.forEach((c) => c.close());
    await cluster.stop();
  }
  const rawAfter = await rawBaseline(ctx, 'after');
  const settings = await postgresSettings(adminDatabaseUrl());
  return report(levels, rawBefore, rawAfter, settings);
}

async function rawBaseline(ctx: BenchContext, when: string): Promise<RawInsertResult[]> {
  const url = await resetBenchDatabase(RAW_DATABASE);
  try {
    await prepareRawInsertTable(url);
    const results: RawInsertResult[] = [];
    for (const concurrency of CONCURRENCIES) {
      const result = await measureRawInserts(url, concurrency, RAW_MS);
      ctx.log(`raw insert (${when}) ×${concurrency}: ${rate(result.perSecond)}/s p50 ${ms(result.latency.p50)} ms`);
      results.push(result);
    }
    return results;
  } finally {
    await dropBenchDatabase(RAW_DATABASE);
  }
}

async function measureLevel(
  ctx: BenchContext,
  cluster: BenchCluster,
  channels: readonly AllocatorClient[],
  concurrency: number,
): Promise<LevelResult> {
  const nodes = cluster.nodes.map((n) => n.node);
  const runId = randomBytes(3).toString('hex');
  let sequence = 0;
  const samples = { pair: [] as number[], allocate: [] as number[], release: [] as number[] };
  const pair = async (worker: number, record: boolean) => {
    const client = channels[worker % channels.length];
    // Pairs go round the nodes: a client pinned to one node would, at low concurrency, wait for that node's
    // addresses to cool down after release and measure the cooldown instead of the allocator.
    const n = (sequence += 1);
    const node = nodes[n % nodes.length];
    const id = `${runId}-${n}`;
    const pod = { namespace: 'bench', name: `warm-${id}`, uid: `uid-${id}` };
    const container_id = `ctr-${id}`;
    const start = process.hrtime.bigint();
    await client.allocateIp({
      node,
      pod,
      container_id,
      owner: { kind: 'ReplicaSet', name: 'bench', uid: 'rs-bench' },
      idempotency_key: `${pod.uid}/${container_id}`,
    });
    const allocated = elapsedMs(start);
    const releaseStart = process.hrtime.bigint();
    await client.releaseIp({ node, pod, container_id, reason: 'bench' });
    if (record) {
      samples.allocate.push(allocated);
      samples.release.push(elapsedMs(releaseStart));
      samples.pair.push(elapsedMs(start));
    }
  };
  await closedLoop(concurrency, WARMUP_MS, (worker) => pair(worker, false));
  const callsBefore = cloudMutations(cluster);
  const [cpuBefore, machineBefore] = [processCpuMs(cluster.allocator.pid), machineCpu()];
  const loop = await closedLoop(concurrency, MEASURE_MS, (worker) => pair(worker, true));
  const [cpuAfter, machineAfter] = [processCpuMs(cluster.allocator.pid), machineCpu()];
  const result: LevelResult = {
    concurrency,
    pairs: loop.completed,
    pairsPerSecond: (loop.completed / loop.elapsedMs) * 1000,
    pair: summarize(samples.pair),
    allocate: summarize(samples.allocate),
    release: summarize(samples.release),
    cloudCalls: cloudMutations(cluster) - callsBefore,
    allocatorCpuMsPerCall: (cpuAfter - cpuBefore) / (2 * loop.completed),
    machineBusy: busyShare(machineBefore, machineAfter),
    errors: errorText(loop.errors),
  };
  ctx.log(
    `warm pool ×${concurrency}: ${rate(result.pairsPerSecond)} pairs/s, pair p50 ${ms(result.pair.p50)} p99 ${ms(result.pair.p99)} ms` +
      (result.errors ? `; errors: ${result.errors}` : ''),
  );
  return result;
}

/** Cloud calls that change something: on a warm pool there should be next to none. */
function cloudMutations(cluster: BenchCluster): number {
  const counts = cluster.ecs.admin.callCounts();
  return Object.entries(counts)
    .filter(([api]) => !api.startsWith('Describe'))
    .reduce((sum, [, c]) => sum + c.calls, 0);
}

function report(
  levels: readonly LevelResult[],
  rawBefore: readonly RawInsertResult[],
  rawAfter: readonly RawInsertResult[],
  settings: string,
): BenchOutcome {
  // The stricter baseline of the two raw runs (before and after the allocator) at each concurrency.
  const raw = (concurrency: number) =>
    Math.max(...[...rawBefore, ...rawAfter].filter((r) => r.concurrency === concurrency).map((r) => r.perSecond));
  const rows = levels.map((l) => [
    l.concurrency,
    l.pairs,
    rate(l.pairsPerSecond),
    rate(l.pairsPerSecond * 2),
    `${ms(l.pair.p50)} / ${ms(l.pair.p99)}`,
    `${ms(l.allocate.p50)} / ${ms(l.allocate.p99)}`,
    `${ms(l.release.p50)} / ${ms(l.release.p99)}`,
    rate(raw(l.concurrency)),
    percent((l.pairsPerSecond * 2) / raw(l.concurrency)),
    ms(l.allocatorCpuMsPerCall),
    percent(l.machineBusy),
    l.cloudCalls,
  ]);
  const rawRows = CONCURRENCIES.map((c) => {
    const [before, after] = [rawBefore, rawAfter].map((set) => set.find((r) => r.concurrency === c)!);
    return [c, rate(before.perSecond), rate(after.perSecond), `${ms(before.latency.p50)} / ${ms(before.latency.p99)}`];
  });
  const errors = levels.filter((l) => l.errors).map((l) => `- ${l.concurrency} clients: ${l.errors}`);
  const top = levels.find((l) => l.concurrency === 64)!;
  const body = [
    `${NODES} nodes (${INSTANCE_TYPE}) registered through gRPC with the allocator process, pools pre-warmed by`,
    `eni-config \`min_pool_size: ${MIN_POOL}\` (\`ip_cooldown: 1s\`, so released addresses return). Each client`,
    `loops AllocateIp then ReleaseIp for a new pod, the pairs going round the ${NODES} nodes, over ${CHANNELS} gRPC channels`,
    `with their own connections; ${WARMUP_MS / 1000} s warm-up, then ${MEASURE_MS / 1000} s measured per level.`,
    `One AllocateIp or ReleaseIp is one ledger transaction, so allocator calls/s is set beside the raw rate of`,
    `single-row insert transactions (autocommit INSERT of a small JSON row, pg directly, ${RAW_MS / 1000} s per level)`,
    `on the same server (${settings}); the raw rate shown is the higher of a run before and one after the`,
    `allocator. Latencies in ms, p50 / p99, measured at the client. The load generator shares the machine.`,
    '',
    markdownTable(
      [
        'clients',
        'pairs',
        'pairs/s',
        'calls/s',
        'pair p50 / p99',
        'AllocateIp p50 / p99',
        'ReleaseIp p50 / p99',
        'raw insert tx/s',
        'calls/s ÷ raw',
        'allocator CPU ms/call',
        'machine CPU busy',
        'cloud calls',
      ],
      rows,
    ),
    '`allocator CPU ms/call`: user + system CPU time of the allocator process over the measured window, per',
    'AllocateIp or ReleaseIp; `machine CPU busy`: share of all cores busy in that window (everything on the',
    'machine); `cloud calls`: mutating ecs-sim calls during the window (the pool refilling after cooldowns).',
    '',
    'Raw insert baseline, both runs:',
    '',
    markdownTable(['connections', 'tx/s before', 'tx/s after', 'p50 / p99 before (ms)'], rawRows),
    ...(errors.length > 0 ? ['Errors during the measurement:', '', ...errors, ''] : []),
  ].join('\n');
  return {
    body,
    targets: [
      { label: 'AllocateIp p99 at 64 clients', measured: top.allocate.p99, limit: 10, comparison: '<=', unit: 'ms' },
      { label: 'ReleaseIp p99 at 64 clients', measured: top.release.p99, limit: 10, comparison: '<=', unit: 'ms' },
      {
        label: 'allocator calls/s ÷ raw insert tx/s at 64 clients',
        measured: (top.pairsPerSecond * 2) / raw(64),
        limit: 0.5,
        comparison: '>=',
        unit: '%',
      },
    ],
  };
}
