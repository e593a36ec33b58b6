// The warm-pool load: closed-loop clients, each looping AllocateIp then ReleaseIp for a new pod, the pairs
// going round a list of node names, over a fixed set of gRPC channels. The allocator levels and the
// transport ceiling (a server that answers at once) are driven by this one piece of code, so that the only
// difference between their figures is the server.
import { randomBytes } from 'node:crypto';
import { type AllocatorClient } from '@ipledger/proto';
import { closedLoop, errorText } from './closed-loop.js';
import { busyShare, machineCpu, processCpuMs } from './cpu-usage.js';
import { elapsedMs, type LatencySummary, summarize } from './stats.js';

export interface PairTiming {
  warmupMs: number;
  measureMs: number;
}

export interface PairLevel {
  concurrency: number;
  pairs: number;
  pairsPerSecond: number;
  pair: LatencySummary;
  allocate: LatencySummary;
  release: LatencySummary;
  /** CPU milliseconds the server process used per call (AllocateIp or ReleaseIp) in the measured window. */
  serverCpuMsPerCall: number;
  /** Busy share of all cores during the measured window. */
  machineBusy: number;
  errors: string;
}

export interface PairTarget {
  channels: readonly AllocatorClient[];
  nodes: readonly string[];
  /** The process answering the calls, for its CPU time. */
  serverPid: number | undefined;
}

/**
 * A warm-up, then the measured window. `window` runs right before and right after the measured window (after
 * the warm-up), e.g. to read counters that only the measured window should see.
 */
export async function measurePairs(
  target: PairTarget,
  concurrency: number,
  timing: PairTiming,
  window: { before?: () => void; after?: () => void } = {},
): Promise<PairLevel> {
  const load = new PairLoad(target);
  await closedLoop(concurrency, timing.warmupMs, (worker) => load.pair(worker, false));
  window.before?.();
  const [cpuBefore, machineBefore] = [processCpuMs(target.serverPid), machineCpu()];
  const loop = await closedLoop(concurrency, timing.measureMs, (worker) => load.pair(worker, true));
  const [cpuAfter, machineAfter] = [processCpuMs(target.serverPid), machineCpu()];
  window.after?.();
  return {
    concurrency,
    pairs: loop.completed,
    pairsPerSecond: (loop.completed / loop.elapsedMs) * 1000,
    pair: summarize(load.samples.pair),
    allocate: summarize(load.samples.allocate),
    release: summarize(load.samples.release),
    serverCpuMsPerCall: (cpuAfter - cpuBefore) / (2 * loop.completed),
    machineBusy: busyShare(machineBefore, machineAfter),
    errors: errorText(loop.errors),
  };
}

class PairLoad {
  readonly samples = { pair: [] as number[], allocate: [] as number[], release: [] as number[] };
  private readonly runId = randomBytes(3).toString('hex');
  private sequence = 0;

  constructor(private readonly target: PairTarget) {}

  async pair(worker: number, record: boolean): Promise<void> {
    const { channels, nodes } = this.target;
    const client = channels[worker % channels.length];
    // Pairs go round the nodes: a client pinned to one node would, at low concurrency, wait for that node's
    // addresses to cool down after release and measure the cooldown instead of the allocator.
    const n = (this.sequence += 1);
    const node = nodes[n % nodes.length];
    const id = `${this.runId}-${n}`;
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
      this.samples.allocate.push(allocated);
      this.samples.release.push(elapsedMs(releaseStart));
      this.samples.pair.push(elapsedMs(start));
    }
  }
}
