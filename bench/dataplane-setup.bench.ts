// Dataplane setup/teardown per pod as the node agent performs them, without the CNI binary, the socket or the
// allocator: policy-route (in one go, and in the two stages CNI ADD/DEL use), policy-route with bandwidth, and
// an exclusive ENI, each on both kernel implementations (netlink in-process, the default; `ip -batch`
// processes, the fallback) taking turns pod by pod, beside Debian's ptp + host-local ADD/DEL measured in the
// same run. The driver runs in the root namespace and targets a "node" namespace, as in the simulation.
import { NetnsVpcFabric } from '../apps/ecs-sim/src/vpc/netns-vpc-fabric.js';
import { type FabricEni } from '../apps/ecs-sim/src/vpc/vpc-fabric.js';
import {
  EniPreparer,
  ExclusiveEniDataplane,
  PolicyRouteDataplane,
  type EniSpec,
  type PolicyRoutePodSpec,
} from '../apps/node-agent/src/dataplane/index.js';
import { openKernel, type KernelImplementation } from '../apps/node-agent/src/kernel/index.js';
import { type BenchContext, type BenchOutcome, type Benchmark, NotMeasured } from './support/benchmark.js';
import { addNetns, deleteNetns, netnsName } from './support/netns.js';
import {
  type AddDelLatency,
  type CniRound,
  measurePtp,
  measureTakingTurns,
  ptpMissing,
} from './support/ptp-baseline.js';
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
    const planesOn = async (implementation: KernelImplementation) => {
      const kernel = openKernel(implementation, node);
      const preparer = new EniPreparer(kernel);
      await preparer.prepare(specOf(eniOf(1)));
      return { policy: new PolicyRouteDataplane(kernel, preparer), exclusive: new ExclusiveEniDataplane(kernel) };
    };
    const netlink = await planesOn('netlink');
    const iproute = await planesOn('iproute');
    type Planes = typeof netlink;
    const measure = async (purpose: string, round: (planes: Planes) => CniRound): Promise<PerKernel> => {
      ctx.log(`dataplane: ${purpose}, ${ITERATIONS} pods per kernel`);
      const latency = await measureTakingTurns(
        { netlink: round(netlink), iproute: round(iproute) },
        { iterations: ITERATIONS, warmup: WARMUP, purpose, signal: ctx.signal },
      );
      for (const [name, l] of Object.entries(latency)) {
        ctx.log(`dataplane: ${purpose} on ${name}: setup p50 ${ms(l.add.p50)} ms, teardown p50 ${ms(l.del.p50)} ms`);
      }
      return latency;
    };
    const policySpec = (pod: { netnsPath: string; containerId: string }): PolicyRoutePodSpec => ({
      containerId: pod.containerId,
      netns: pod.netnsPath,
      ifName: 'eth0',
      ip: '10.55.1.50',
      eni: specOf(eniOf(1)),
    });
    const plain = await measure(
      'dp-policy',
      ({ policy }) =>
        (command, pod) =>
          timed(() => (command === 'ADD' ? policy.setup(policySpec(pod)) : policy.teardown(policySpec(pod)))),
    );
    // CNI ADD: links while AllocateIp is in flight, then the address; DEL: isolate, then the links.
    const staged = await measure('dp-staged', ({ policy }) => (command, pod) => {
      const spec = policySpec(pod);
      return command === 'ADD'
        ? timed(async () => {
            await policy.prepareLinks(spec);
            await policy.completeAddress(spec);
          })
        : timed(async () => {
            await policy.isolate({ containerId: spec.containerId, ip: spec.ip });
            await policy.removeLinks(spec);
          });
    });
    const bandwidth = { ingressRate: 10_000_000, egressRate: 10_000_000 };
    const shaped = await measure(
      'dp-shaped',
      ({ policy }) =>
        (command, pod) =>
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
    const owned = await measure(
      'dp-eni',
      ({ exclusive }) =>
        (command, pod) =>
          timed(() =>
            command === 'ADD' ? exclusive.setup(exclusiveSpec(pod)) : exclusive.teardown(exclusiveSpec(pod)),
          ),
    );
    ctx.log('dataplane: ptp + host-local baseline');
    const ptp = await measurePtp({ iterations: ITERATIONS, warmup: WARMUP, signal: ctx.signal });
    return report({ plain, staged, shaped, owned, ptp });
  } finally {
    await fabric.close().catch(() => undefined);
    await deleteNetns(node).catch(() => undefined);
  }
}

type PerKernel = Record<KernelImplementation, AddDelLatency>;

function report(m: Record<'plain' | 'staged' | 'shaped' | 'owned', PerKernel> & { ptp: AddDelLatency }): BenchOutcome {
  const row = (name: string, latency: AddDelLatency) => [
    name,
    latency.add.count,
    `${ms(latency.add.p50)} / ${ms(latency.add.p95)}`,
    `${ms(latency.del.p50)} / ${ms(latency.del.p95)}`,
  ];
  const both = (name: string, latency: PerKernel) => [
    row(`${name}, netlink`, latency.netlink),
    row(`${name}, ip -batch`, latency.iproute),
  ];
  const targets: TargetCheck[] = [
    {
      label: 'policy-route setup p50 (netlink)',
      measured: m.plain.netlink.add.p50,
      limit: m.ptp.add.p50,
      comparison: '<=',
      unit: 'ms',
      limitNote: `ptp ADD p50 (${ms(m.ptp.add.p50)} ms): the dataplane's share of a CNI ADD whose target is 3 × ptp`,
    },
  ];
  const body = [
    'Each pod: a fresh namespace (not timed), then `setup` and `teardown` of the dataplane, called in-process',
    'by a driver in the root namespace against a node namespace, once with the netlink kernel (the default) and',
    `once with \`ip -batch\` processes (the fallback), taking turns pod by pod; ${WARMUP} unmeasured pods first,`,
    `then ${ITERATIONS} each. "two stages" is what CNI ADD/DEL run: prepareLinks + completeAddress, isolate +`,
    "removeLinks. ptp: Debian's plugin with host-local, spawned per ADD/DEL. Milliseconds, p50 / p95.",
    '',
    markdownTable(
      ['dataplane', 'pods', 'setup p50 / p95', 'teardown p50 / p95'],
      [
        ...both('policy-route', m.plain),
        ...both('policy-route in two stages', m.staged),
        ...both('policy-route + 10 Mbit/s both ways', m.shaped),
        ...both('exclusive ENI', m.owned),
        row('ptp + host-local ADD / DEL (reference)', m.ptp),
      ],
    ),
    'Teardown is dominated by deleting a veth, which waits for the kernel to unregister the device.',
    '',
  ].join('\n');
  return { body, targets };
}
