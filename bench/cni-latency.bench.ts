// CNI ADD/DEL latency of ipledger-cni with the policy-route dataplane on a warm pool (the real executable,
// the real node agent, through the LocalCluster harness), beside Debian's ptp + host-local on this machine.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/allocator-process.js';
import { type BenchContext, type BenchOutcome, type Benchmark, NotMeasured } from './support/benchmark.js';
import { type AddDelLatency, measurePtp, ptpMissing } from './support/ptp-baseline.js';
import { markdownTable, ms, type TargetCheck } from './support/report.js';

const ITERATIONS = 50;
const WARMUP = 5;
const LOCAL_CLUSTER = join(REPO_ROOT, 'dist/apps/devcluster/src/local-cluster.js');

export const cniLatency: Benchmark = {
  name: 'cni-latency',
  title: 'CNI ADD/DEL latency (policy-route, warm pool) vs. ptp + host-local',
  timeoutMs: 15 * 60_000,
  run,
};

async function run(ctx: BenchContext): Promise<BenchOutcome> {
  const missing = ptpMissing();
  if (missing) {
    throw new NotMeasured(missing);
  }
  ctx.log(`cni: ptp + host-local, ${ITERATIONS} pods`);
  const ptp = await measurePtp({ iterations: ITERATIONS, warmup: WARMUP, signal: ctx.signal });
  ctx.log(`cni: ptp ADD p50 ${ms(ptp.add.p50)} ms, DEL p50 ${ms(ptp.del.p50)} ms`);
  const ipledger = existsSync(LOCAL_CLUSTER)
    ? null
    : `the LocalCluster harness (apps/devcluster/src/local-cluster.ts) is not there yet`;
  return report(ptp, ipledger);
}

function row(name: string, latency: AddDelLatency): (string | number)[] {
  return [
    name,
    latency.add.count,
    `${ms(latency.add.p50)} / ${ms(latency.add.p95)}`,
    `${ms(latency.del.p50)} / ${ms(latency.del.p95)}`,
  ];
}

function report(ptp: AddDelLatency, ipledgerMissing: string | null): BenchOutcome {
  const targets: TargetCheck[] = [];
  const body = [
    `Each pod: a fresh network namespace (not timed), then ADD and DEL of the plugin, timed from spawn to exit by`,
    `a driver process that already runs inside the node's namespace (so \`ip netns exec\` is not in the figure);`,
    `${WARMUP} unmeasured pods first, then ${ITERATIONS}. ptp: Debian containernetworking-plugins \`ptp\` with`,
    '`host-local` IPAM, in a throwaway node namespace. Milliseconds, p50 / p95.',
    '',
    markdownTable(['plugin', 'pods', 'ADD p50 / p95', 'DEL p50 / p95'], [row('ptp + host-local (reference)', ptp)]),
    ...(ipledgerMissing ? [`ipledger-cni (policy-route): not measured: ${ipledgerMissing}.`, ''] : []),
  ].join('\n');
  return { body, targets };
}
