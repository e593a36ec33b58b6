// Dataplane setup/teardown per pod as the node agent performs them (KernelPort over `ip -batch`), without the
// CNI binary, the socket or the allocator: policy-route, policy-route with bandwidth, and an exclusive ENI,
// beside Debian's ptp + host-local ADD/DEL measured in the same run. The agent runs in the root namespace and
// targets a "node" namespace with `ip -n`, as in the simulation.
import { NetnsVpcFabric } from '../apps/ecs-sim/src/vpc/netns-vpc-fabric.js';
import { type FabricEni } from '../apps/ecs-sim/src/vpc/vpc-fabric.js';
import {
  EniPreparer,
  ExclusiveEniDataplane,
  PolicyRouteDataplane,
  type EniSpec,
  type PolicyRoutePodSpec,
} from '../apps/node-agent/src/dataplane/index.js';
import { IprouteKernelAdapter } from '../apps/node-agent/src/kernel/index.js';
import { type BenchContext, type BenchOutcome, type Benchmark, NotMeasured } from './support/benchmark.js';
import { addNetns, deleteNetns, netnsName } from './support/netns.js';
import { type AddDelLatency, type CniRound, measureAddDel, measurePtp, ptpMissing } from './support/ptp-baseline.js';
import { markdownTable, ms, type TargetCheck } from './support/report.js';
import { elapsedMs } from './support/stats.js';

const ITERATIONS = 50;
const WARMUP = 5;
const VSWITCH = { id: 'vsw-bench', cidr: '10.55.1.0/24', gateway: '10.55.1.253' };

export const dataplaneSetup: Benchmark = {
  name: 'dataplane-setup',
  title: 'Dataplane setup/teardown per pod (policy-route, bandwidth, exclusive ENI) vs. ptp ADD/DEL',
  timeoutMs: 10 * 60_000,
  run,
};

const eniOf = (n: number): FabricEni => ({
  eniId: `eni-bench-${n}`,
  mac: `00:16:3e:55:00:0${n}`,
  vswitch: VSWITCH,
  primaryIp: `10.55.1.${10 + n}`,
});

const specOf = (eni: FabricEni): EniSpec => ({
  mac: eni.mac,
  gateway: VSWITCH.gateway,
  vswitchCidr: VSWITCH.cidr,
  primaryIp: eni.primaryIp,
});

function timed(action: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  return action().then(() => elapsedMs(start));
}

async function run(ctx: BenchContext): Promise<BenchOutcome> {
  const missing = ptpMissing();
  if (missing) {
    throw new NotMeasured(missing);
  }
  const node = netnsName('dpnode');
  const fabric = new NetnsVpcFabric({ netns: netnsName('dpvpc') });
  try {
    await addNetns(node);
    const instance = { instanceId: 'i-bench', netns: node };
    await fabric.attachEni(instance, eniOf(0), 0);
    await fabric.attachEni(instance, eniOf(1), 1);
    await fabric.attachEni(instance, eniOf(2), 2);
    const kernel = new IprouteKernelAdapter(node);
    const preparer = new EniPreparer(kernel);
    await preparer.prepare(specOf(eniOf(1)));
    const policy = new PolicyRouteDataplane(kernel, preparer);
    const exclusive = new ExclusiveEniDataplane(kernel);
    const measure = async (purpose: string, round: CniRound): Promise<AddDelLatency> => {
      ctx.log(`dataplane: ${purpose}, ${ITERATIONS} pods`);
      const latency = await measureAddDel(round, {
        iterations: ITERATIONS,
        warmup: WARMUP,
        purpose,
        signal: ctx.signal,
      });
      ctx.log(`dataplane: ${purpose} setup p50 ${ms(latency.add.p50)} ms, teardown p50 ${ms(latency.del.p50)} ms`);
      return latency;
    };
    const policySpec = (pod: { netnsPath: string; containerId: string }): PolicyRoutePodSpec => ({
      containerId: pod.containerId,
      netns: pod.netnsPath,
      ifName: 'eth0',
      ip: '10.55.1.50',
      eni: specOf(eniOf(1)),
    });
    const plain = await measure('dp-policy', (command, pod) =>
      timed(() => (command === 'ADD' ? policy.setup(policySpec(pod)) : policy.teardown(policySpec(pod)))),
    );
    const bandwidth = { ingressRate: 10_000_000, egressRate: 10_000_000 };
    const shaped = await measure('dp-shaped', (command, pod) =>
      timed(() =>
        command === 'ADD' ? policy.setup({ ...policySpec(pod), bandwidth }) : policy.teardown(policySpec(pod)),
      ),
    );
    const exclusiveSpec = (pod: { netnsPath: string; containerId: string }) => ({
      ...policySpec(pod),
      ip: eniOf(2).primaryIp,
      eni: specOf(eniOf(2)),
      serviceCidr: '10.96.0.0/12',
      nodeIps: [eniOf(0).primaryIp],
    });
    const owned = await measure('dp-eni', (command, pod) =>
      timed(() => (command === 'ADD' ? exclusive.setup(exclusiveSpec(pod)) : exclusive.teardown(exclusiveSpec(pod)))),
    );
    ctx.log('dataplane: ptp + host-local baseline');
    const ptp = await measurePtp({ iterations: ITERATIONS, warmup: WARMUP, signal: ctx.signal });
    return report({ plain, shaped, owned, ptp });
  } finally {
    await fabric.close().catch(() => undefined);
    await deleteNetns(node).catch(() => undefined);
  }
}

function report(m: Record<'plain' | 'shaped' | 'owned' | 'ptp', AddDelLatency>): BenchOutcome {
  const row = (name: string, latency: AddDelLatency) => [
    name,
    latency.add.count,
    `${ms(latency.add.p50)} / ${ms(latency.add.p95)}`,
    `${ms(latency.del.p50)} / ${ms(latency.del.p95)}`,
  ];
  const targets: TargetCheck[] = [
    {
      label: 'policy-route setup p50',
      measured: m.plain.add.p50,
      limit: m.ptp.add.p50,
      comparison: '<=',
      unit: 'ms',
      limitNote: `ptp ADD p50 (${ms(m.ptp.add.p50)} ms): the dataplane's share of a CNI ADD whose target is 3 × ptp`,
    },
  ];
  const body = [
    'Each pod: a fresh namespace (not timed), then `setup` and `teardown` of the dataplane, called in-process',
    `by a driver in the root namespace against a node namespace (\`ip -n\`); ${WARMUP} unmeasured pods first,`,
    `then ${ITERATIONS}. ptp: Debian's plugin with host-local, spawned per ADD/DEL. Milliseconds, p50 / p95.`,
    '',
    markdownTable(
      ['dataplane', 'pods', 'setup p50 / p95', 'teardown p50 / p95'],
      [
        row('policy-route', m.plain),
        row('policy-route + 10 Mbit/s both ways', m.shaped),
        row('exclusive ENI', m.owned),
        row('ptp + host-local ADD / DEL (reference)', m.ptp),
      ],
    ),
    'Teardown is dominated by deleting a veth, which waits for the kernel to unregister the device.',
    '',
  ].join('\n');
  return { body, targets };
}
