// CNI ADD/DEL latency of ipledger-cni with the policy-route dataplane on a warm pool (the real executable and
// the real node agent, in the LocalCluster harness), beside Debian's ptp + host-local on this machine. Both
// plugins are run the same way: by a driver process inside the node's namespace, as the kubelet runs them.
import { dirname } from 'node:path';
import { CNI_NETWORK_NAME, type LocalCluster } from '../apps/devcluster/src/local-cluster.js';
import { type BenchContext, type BenchOutcome, type Benchmark, NotMeasured } from './support/benchmark.js';
import { waitFor } from './support/deadline.js';
import { withLocalCluster } from './support/local-cluster-bench.js';
import { NetnsExecutor } from './support/netns.js';
import { type AddDelLatency, type CniRound, measureTakingTurns, ptpMissing, startPtp } from './support/ptp-baseline.js';
import { markdownTable, ms, type TargetCheck } from './support/report.js';

const ITERATIONS = 50;
const WARMUP = 5;
const NODE = 'bench-cni';
const INSTANCE_TYPE = 'ecs.g7.xlarge';
const MIN_POOL = 10;

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
  const ptp = await startPtp();
  try {
    ctx.log(
      `cni: LocalCluster node ${NODE} (${INSTANCE_TYPE}, min_pool_size ${MIN_POOL}) and ptp, ${ITERATIONS} pods each`,
    );
    const eniConfig = { min_pool_size: MIN_POOL, max_pool_size: 20, ip_cooldown: '1s' };
    const latency = await withLocalCluster(
      { eniConfig, nodes: [{ name: NODE, instanceType: INSTANCE_TYPE }] },
      async (cluster) => {
        const ipledger = await ipledgerPlugin(cluster);
        try {
          return await measureTakingTurns(
            { ipledger: ipledger.round, ptp: ptp.round },
            { iterations: ITERATIONS, warmup: WARMUP, purpose: 'cnipod', signal: ctx.signal },
          );
        } finally {
          await ipledger.close();
        }
      },
    );
    for (const [name, l] of Object.entries(latency)) {
      ctx.log(`cni: ${name} ADD p50 ${ms(l.add.p50)} ms, DEL p50 ${ms(l.del.p50)} ms`);
    }
    return report(latency.ptp, latency.ipledger);
  } finally {
    await ptp.close();
  }
}

/** ipledger-cni against the node's agent, once the node's pool is warm. */
async function ipledgerPlugin(cluster: LocalCluster): Promise<{ round: CniRound; close(): Promise<void> }> {
  const node = cluster.node(NODE);
  await waitFor(
    async () => ((await cluster.allocator.describePool({ node: NODE })).idle >= MIN_POOL ? true : undefined),
    120_000,
    `a warm pool of ${MIN_POOL} on ${NODE}`,
    250,
  );
  const executor = new NetnsExecutor(node.netns);
  const netconf = JSON.stringify({
    cniVersion: '1.0.0',
    name: CNI_NETWORK_NAME,
    type: 'ipledger-cni',
    agentSocket: node.socket,
  });
  const round: CniRound = async (command, pod) => {
    const env = {
      CNI_COMMAND: command,
      CNI_CONTAINERID: pod.containerId,
      CNI_NETNS: pod.netnsPath,
      CNI_IFNAME: 'eth0',
      CNI_PATH: dirname(cluster.cniBin),
      CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME=${pod.name};K8S_POD_UID=${pod.uid};K8S_POD_INFRA_CONTAINER_ID=${pod.containerId}`,
    };
    const result = await executor.exec(cluster.cniBin, env, netconf);
    if (result.code !== 0) {
      throw new Error(`ipledger-cni ${command} exited ${result.code}: ${result.stdout || result.stderr}`);
    }
    return result.ms;
  };
  return { round, close: () => executor.close() };
}

function row(name: string, latency: AddDelLatency): (string | number)[] {
  return [
    name,
    latency.add.count,
    `${ms(latency.add.p50)} / ${ms(latency.add.p95)}`,
    `${ms(latency.del.p50)} / ${ms(latency.del.p95)}`,
  ];
}

function report(ptp: AddDelLatency, ipledger: AddDelLatency): BenchOutcome {
  const targets: TargetCheck[] = [
    {
      label: 'ipledger ADD p50 ÷ ptp ADD p50',
      measured: ipledger.add.p50 / ptp.add.p50,
      limit: 3,
      comparison: '<=',
      unit: '×',
      limitNote: `ptp ADD p50 ${ms(ptp.add.p50)} ms`,
    },
    {
      label: 'ipledger DEL p50 ÷ ptp DEL p50',
      measured: ipledger.del.p50 / ptp.del.p50,
      limit: 1,
      comparison: '<=',
      unit: '×',
      limitNote: `ptp DEL p50 ${ms(ptp.del.p50)} ms`,
    },
  ];
  const body = [
    'Each pod: a fresh network namespace (not timed), then ADD and DEL, each timed from spawn to exit of the',
    "plugin by a driver process that already runs inside the node's namespace (so `ip netns exec` is not in the",
    `figure), as the kubelet runs plugins; ${WARMUP} unmeasured pods first, then ${ITERATIONS} per plugin, one`,
    'after another, the two plugins taking turns pod by pod.',
    `ipledger: the built \`ipledger-cni\` executable against the node agent of a LocalCluster node`,
    `(${INSTANCE_TYPE}, policy-route, \`min_pool_size: ${MIN_POOL}\`, \`ip_cooldown: 1s\`, so every ADD finds a warm`,
    'address; ADD includes AllocateIp over gRPC, DEL includes ReleaseIp). Reference: Debian',
    'containernetworking-plugins `ptp` with `host-local` IPAM, in a throwaway node namespace. Milliseconds.',
    '',
    markdownTable(
      ['plugin', 'pods', 'ADD p50 / p95', 'DEL p50 / p95'],
      [row('ipledger-cni (policy-route)', ipledger), row('ptp + host-local (reference)', ptp)],
    ),
  ].join('\n');
  return { body, targets };
}
