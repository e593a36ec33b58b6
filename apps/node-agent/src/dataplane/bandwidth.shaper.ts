// Pod bandwidth from CNI runtimeConfig.bandwidth. A device can only queue what it transmits, so one
// direction is a token bucket (tbf) as the device's root qdisc, and the other direction is redirected from
// the device's ingress to an ifb whose root tbf does the shaping (this kernel has no `police` action).
import { type CniBandwidth } from '@ipledger/proto';
import { type KernelPort, type NetOp, type NsTarget } from '../kernel/index.js';
import { problem, type DataplaneProblem } from './dataplane.js';

export interface TokenBucket {
  rateBps: number;
  burstBytes: number;
}

/** Queueing allowance of the bucket, as the reference bandwidth plugin and Terway use. */
export const TBF_LATENCY_MS = 25;
/**
 * kubelet and containerd pass MaxInt32 / MaxUint32 bits as the burst when a pod only sets a rate: "no
 * particular burst". Taken literally that bucket would let hundreds of megabytes through unshaped.
 */
const UNSPECIFIED_BURST_BITS = 2 ** 31 - 1;
/** Without a usable burst: 4 ms of traffic (a 250 Hz timer tick), at least two full frames. */
const DEFAULT_BURST_SECONDS = 0.004;

export function tokenBucket(rateBits: number, burstBits: number | undefined, mtu: number): TokenBucket {
  const floor = 2 * (mtu + 14);
  const given = burstBits !== undefined && burstBits > 0 && burstBits < UNSPECIFIED_BURST_BITS;
  const burst = given ? Math.ceil(burstBits / 8) : Math.ceil((rateBits / 8) * DEFAULT_BURST_SECONDS);
  // tc keeps rates in bytes per second; rounding here keeps `check` comparisons exact.
  return { rateBps: Math.max(8, Math.round(rateBits / 8) * 8), burstBytes: Math.max(burst, floor) };
}

export interface Shaping {
  /** The device the pod's traffic crosses: the host veth, or the pod's own NIC for an exclusive ENI. */
  dev: string;
  /** Carries the shaped receive direction of `dev`. */
  ifb: string;
  /** Limit on what `dev` transmits. */
  transmit?: TokenBucket;
  /** Limit on what `dev` receives. */
  receive?: TokenBucket;
}

/** Which way round the pod's limits apply on `dev`. */
export function shapingFor(
  bandwidth: CniBandwidth | undefined,
  dev: string,
  ifb: string,
  mtu: number,
  devFacesPod: boolean,
): Shaping | null {
  const bucket = (rate?: number, burst?: number): TokenBucket | undefined =>
    rate !== undefined && rate > 0 ? tokenBucket(rate, burst, mtu) : undefined;
  const podIngress = bucket(bandwidth?.ingressRate, bandwidth?.ingressBurst);
  const podEgress = bucket(bandwidth?.egressRate, bandwidth?.egressBurst);
  if (!podIngress && !podEgress) {
    return null;
  }
  // The host veth transmits towards the pod; the pod's NIC transmits what the pod sends.
  return devFacesPod
    ? { dev, ifb, transmit: podIngress, receive: podEgress }
    : { dev, ifb, transmit: podEgress, receive: podIngress };
}

/** Link operations (ip) and queueing operations (tc), applied in that order. */
export function shapingOps(shaping: Shaping, mtu: number): { links: NetOp[]; qdiscs: NetOp[] } {
  const { dev, ifb, transmit, receive } = shaping;
  const links: NetOp[] = receive
    ? [
        { kind: 'ifb-add', name: ifb, mtu },
        { kind: 'link-up', dev: ifb },
      ]
    : [];
  const qdiscs: NetOp[] = [];
  if (receive) {
    qdiscs.push({ kind: 'tbf-replace', dev: ifb, ...receive, latencyMs: TBF_LATENCY_MS });
    qdiscs.push({ kind: 'ingress-redirect', dev, to: ifb });
  }
  if (transmit) {
    qdiscs.push({ kind: 'tbf-replace', dev, ...transmit, latencyMs: TBF_LATENCY_MS });
  }
  return { links, qdiscs };
}

/** Undoes shaping; deleting the ifb also drops its qdisc, and the ingress qdisc's filter goes with it. */
export function unshapingOps(dev: string, ifb: string): NetOp[] {
  return [
    { kind: 'qdisc-del', dev, parent: 'ingress' },
    { kind: 'qdisc-del', dev, parent: 'root' },
    { kind: 'link-del', dev: ifb },
  ];
}

export async function checkShaping(
  kernel: KernelPort,
  target: NsTarget,
  shaping: Shaping,
): Promise<DataplaneProblem[]> {
  const qdiscs = await kernel.qdiscs(target);
  const problems: DataplaneProblem[] = [];
  const expectTbf = (dev: string, bucket: TokenBucket): void => {
    const tbf = qdiscs.find((q) => q.dev === dev && q.root && q.kind === 'tbf');
    if (!tbf) {
      problems.push(problem('bandwidth', `no tbf on ${dev}`));
    } else if (tbf.rateBps !== bucket.rateBps) {
      problems.push(problem('bandwidth', `tbf on ${dev} shapes to ${tbf.rateBps} bit/s, want ${bucket.rateBps}`));
    }
  };
  if (shaping.transmit) {
    expectTbf(shaping.dev, shaping.transmit);
  }
  if (shaping.receive) {
    expectTbf(shaping.ifb, shaping.receive);
    const targets = await kernel.ingressRedirects(target, shaping.dev);
    if (!targets.includes(shaping.ifb)) {
      problems.push(problem('bandwidth', `ingress of ${shaping.dev} is not redirected to ${shaping.ifb}`));
    }
  }
  return problems;
}
