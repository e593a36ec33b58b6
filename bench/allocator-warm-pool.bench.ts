// Allocator on a warm pool: AllocateIp + ReleaseIp pairs against the real allocator process (real Postgres,
// nats-server, in-process ecs-sim) at 1, 16 and 64 concurrent clients, beside two baselines measured in the
// same run: the raw single-row insert transaction rate of the same Postgres server at the same concurrencies,
// and the gRPC transport ceiling (the same clients against a server process that answers at once).
import { type AllocatorClient } from '@ipledger/proto';
import { adminDatabaseUrl } from '@ipledger/testing';
import { type PairLevel, measurePairs, type PairTiming } from './support/allocate-release-pairs.js';
import { allocatorChannels } from './support/allocator-clients.js';
import { allocatorMissing } from './support/allocator-process.js';
import { dropBenchDatabase, postgresSettings, RAW_DATABASE, resetBenchDatabase } from './support/bench-database.js';
import { type BenchCluster, benchNodeNames, startBenchCluster } from './support/bench-cluster.js';
import { type BenchContext, type BenchOutcome, type Benchmark, NotMeasured } from './support/benchmark.js';
import { markdownTable, ms, rate, percent } from './support/report.js';
import { measureRawInserts, prepareRawInsertTable, type RawInsertResult } from './support/raw-insert.js';
import { TransportCeilingServer } from './support/transport-ceiling.js';

const CONCURRENCIES = [1, 16, 64];
const NODES = 50;
const INSTANCE_TYPE = 'ecs.g7.xlarge';
const MIN_POOL = 10;
const TIMING: PairTiming = { warmupMs: 3_000, measureMs: 8_000 };
const RAW_MS = 5_000;
const CHANNELS = 8;
const P99_TARGET_MS = 10;
const RAW_SHARE_TARGET = 0.5;

interface LevelResult extends PairLevel {
  /** Mutating ecs-sim calls in the measured window. */
  cloudCalls: number;
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
  const ceiling = await transportCeiling(ctx);
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
  return report(levels, ceiling, rawBefore, rawAfter, settings);
}

/**
 * The same load (pair code, channels, node names, concurrencies, warm-up and window) against the transport
 * ceiling's server: what these clients get from gRPC alone on this machine.
 */
async function transportCeiling(ctx: BenchContext): Promise<PairLevel[]> {
  const server = await TransportCeilingServer.start();
  const channels = allocatorChannels(server.address, CHANNELS);
  const target = { channels, nodes: benchNodeNames(NODES), serverPid: server.pid };
  try {
    const levels: PairLevel[] = [];
    for (const concurrency of CONCURRENCIES) {
      ctx.signal.throwIfAborted();
      const level = await measurePairs(target, concurrency, TIMING);
      ctx.log(
        `transport ceiling ×${concurrency}: ${rate(level.pairsPerSecond * 2)} calls/s, AllocateIp p50 ${ms(level.allocate.p50)} p99 ${ms(level.allocate.p99)} ms` +
          (level.errors ? `; errors: ${level.errors}` : ''),
      );
      levels.push(level);
    }
    return levels;
  } finally {
    channels.forEach((c) => c.close());
    await server.stop();
  }
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
  const target = { channels, nodes: cluster.nodes.map((n) => n.node), serverPid: cluster.allocator.pid };
  let callsBefore = 0;
  let cloudCalls = 0;
  const level = await measurePairs(target, concurrency, TIMING, {
    before: () => (callsBefore = cloudMutations(cluster)),
    after: () => (cloudCalls = cloudMutations(cluster) - callsBefore),
  });
  ctx.log(
    `warm pool ×${concurrency}: ${rate(level.pairsPerSecond)} pairs/s, pair p50 ${ms(level.pair.p50)} p99 ${ms(level.pair.p99)} ms` +
      (level.errors ? `; errors: ${level.errors}` : ''),
  );
  return { ...level, cloudCalls };
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
  ceiling: readonly PairLevel[],
  rawBefore: readonly RawInsertResult[],
  rawAfter: readonly RawInsertResult[],
  settings: string,
): BenchOutcome {
  // The stricter baseline of the two raw runs (before and after the allocator) at each concurrency.
  const raw = (concurrency: number) =>
    Math.max(...[...rawBefore, ...rawAfter].filter((r) => r.concurrency === concurrency).map((r) => r.perSecond));
  const bare = (concurrency: number) => ceiling.find((c) => c.concurrency === concurrency)!;
  const calls = (level: PairLevel) => level.pairsPerSecond * 2;
  const p50p99 = (summary: PairLevel['pair']) => `${ms(summary.p50)} / ${ms(summary.p99)}`;
  const throughputRows = levels.map((l) => [
    l.concurrency,
    l.pairs,
    rate(l.pairsPerSecond),
    rate(calls(l)),
    rate(calls(bare(l.concurrency))),
    percent(calls(l) / calls(bare(l.concurrency))),
    rate(raw(l.concurrency)),
    percent(calls(l) / raw(l.concurrency)),
    ms(l.serverCpuMsPerCall),
    ms(bare(l.concurrency).serverCpuMsPerCall),
    percent(l.machineBusy),
    l.cloudCalls,
  ]);
  const latencyRows = levels.map((l) => [
    l.concurrency,
    p50p99(l.pair),
    p50p99(l.allocate),
    p50p99(bare(l.concurrency).allocate),
    p50p99(l.release),
    p50p99(bare(l.concurrency).release),
  ]);
  const rawRows = CONCURRENCIES.map((c) => {
    const [before, after] = [rawBefore, rawAfter].map((set) => set.find((r) => r.concurrency === c)!);
    return [c, rate(before.perSecond), rate(after.perSecond), `${ms(before.latency.p50)} / ${ms(before.latency.p99)}`];
  });
  const errors = [
    ...levels.filter((l) => l.errors).map((l) => `- ${l.concurrency} clients: ${l.errors}`),
    ...ceiling.filter((l) => l.errors).map((l) => `- transport ceiling, ${l.concurrency} clients: ${l.errors}`),
  ];
  const top = levels.find((l) => l.concurrency === 64)!;
  const body = [
    `${NODES} nodes (${INSTANCE_TYPE}) registered through gRPC with the allocator process, pools pre-warmed by`,
    `eni-config \`min_pool_size: ${MIN_POOL}\` (\`ip_cooldown: 1s\`, so released addresses return). Each client`,
    `loops AllocateIp then ReleaseIp for a new pod, the pairs going round the ${NODES} nodes, over ${CHANNELS} gRPC channels`,
    `with their own connections; ${TIMING.warmupMs / 1000} s warm-up, then ${TIMING.measureMs / 1000} s measured per level.`,
    `One AllocateIp or ReleaseIp is one ledger transaction, so allocator calls/s is set beside the raw rate of`,
    `single-row insert transactions (autocommit INSERT of a small JSON row, pg directly, ${RAW_MS / 1000} s per level)`,
    `on the same server (${settings}); the raw rate shown is the higher of a run before and one after the`,
    `allocator. Latencies in ms, p50 / p99, measured at the client. The load generator shares the machine.`,
    '',
    'The **transport ceiling** is measured in the same run by the same client code (same channels, node names,',
    'concurrencies, warm-up and window) against a plain grpc-js server process that serves the same',
    '`ipledger.v1.Allocator` service from libs/proto and answers AllocateIp and ReleaseIp at once with replies',
    "shaped like the allocator's: no Nest, no ledger, no tracing. It is what these clients get from gRPC alone on",
    'this machine, and no allocator behind the same transport can do better.',
    '',
    markdownTable(
      [
        'clients',
        'pairs',
        'pairs/s',
        'calls/s',
        'ceiling calls/s',
        'calls/s ÷ ceiling',
        'raw insert tx/s',
        'calls/s ÷ raw',
        'allocator CPU ms/call',
        'ceiling server CPU ms/call',
        'machine CPU busy',
        'cloud calls',
      ],
      throughputRows,
    ),
    markdownTable(
      [
        'clients',
        'pair p50 / p99',
        'AllocateIp p50 / p99',
        'ceiling AllocateIp p50 / p99',
        'ReleaseIp p50 / p99',
        'ceiling ReleaseIp p50 / p99',
      ],
      latencyRows,
    ),
    '`allocator CPU ms/call`: user + system CPU time of the allocator process over the measured window, per',
    "AllocateIp or ReleaseIp; `ceiling server CPU ms/call`: the same for the transport ceiling's server;",
    "`machine CPU busy`: share of all cores busy in the allocator's window (everything on the machine);",
    '`cloud calls`: mutating ecs-sim calls during the window (the pool refilling after cooldowns).',
    '',
    ceilingVerdict(top, bare(64), raw(64)),
    '',
    'Raw insert baseline, both runs:',
    '',
    markdownTable(['connections', 'tx/s before', 'tx/s after', 'p50 / p99 before (ms)'], rawRows),
    ...(errors.length > 0 ? ['Errors during the measurement:', '', ...errors, ''] : []),
  ].join('\n');
  return {
    body,
    targets: [
      {
        label: 'AllocateIp p99 at 64 clients',
        measured: top.allocate.p99,
        limit: P99_TARGET_MS,
        comparison: '<=',
        unit: 'ms',
      },
      {
        label: 'ReleaseIp p99 at 64 clients',
        measured: top.release.p99,
        limit: P99_TARGET_MS,
        comparison: '<=',
        unit: 'ms',
      },
      {
        label: 'allocator calls/s ÷ raw insert tx/s at 64 clients',
        measured: calls(top) / raw(64),
        limit: RAW_SHARE_TARGET,
        comparison: '>=',
        unit: '%',
      },
    ],
  };
}

/** What the ceiling says about the two targets at 64 clients, in words that follow this run's figures. */
function ceilingVerdict(top: PairLevel, ceiling: PairLevel, raw: number): string {
  const ceilingCalls = ceiling.pairsPerSecond * 2;
  const allocatorCalls = top.pairsPerSecond * 2;
  const wanted = raw * RAW_SHARE_TARGET;
  const latency =
    ceiling.allocate.p99 > P99_TARGET_MS
      ? `so the p99 target (≤ ${P99_TARGET_MS} ms) is below what gRPC alone reaches with these clients on this ` +
        'machine: no allocator behind this transport can meet it here.'
      : `within the p99 target (≤ ${P99_TARGET_MS} ms): the transport leaves room for it on this machine.`;
  const throughput =
    wanted > ceilingCalls
      ? `The throughput target (≥ ${percent(RAW_SHARE_TARGET)} of raw, ${rate(wanted)} calls/s) is above what the ` +
        `transport carries here (the ceiling is ${percent(ceilingCalls / raw)} of raw).`
      : `The throughput target (≥ ${percent(RAW_SHARE_TARGET)} of raw, ${rate(wanted)} calls/s) is within what the ` +
        `transport carries here: it asks for ${percent(wanted / ceilingCalls)} of the ceiling's calls/s.`;
  return [
    `**What the ceiling means for the targets.** At 64 clients the ceiling served ${rate(ceilingCalls)} calls/s ` +
      `with AllocateIp p99 ${ms(ceiling.allocate.p99)} ms, ${latency}`,
    `The allocator's AllocateIp p99 was ${ms(top.allocate.p99)} ms, ` +
      `${(top.allocate.p99 / ceiling.allocate.p99).toFixed(1)}× the ceiling's.`,
    // In a closed loop every client has one call outstanding, so the mean call latency is clients ÷ calls/s.
    'In a closed loop each client has one call outstanding, so the mean latency is clients ÷ calls/s: a mean ' +
      `under ${P99_TARGET_MS} ms at 64 clients needs over ${rate((64 * 1000) / P99_TARGET_MS)} calls/s, and p99 ` +
      'lies above the mean.',
    throughput,
    `The allocator reached ${percent(allocatorCalls / ceilingCalls)} of the ceiling's calls/s ` +
      `(${percent(allocatorCalls / raw)} of raw).`,
  ].join('\n');
}
