// The reference for CNI latency: Debian's containernetworking-plugins `ptp` with `host-local` IPAM, run on
// this machine inside a throwaway "node" namespace, one pod namespace per ADD/DEL, as toolchain.md §9 did.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cleanup } from './deadline.js';
import { addNetns, deleteNetns, NetnsExecutor, netnsName } from './netns.js';
import { type LatencySummary, summarize } from './stats.js';

export const REFERENCE_PLUGINS = '/usr/lib/cni';
export const PTP = join(REFERENCE_PLUGINS, 'ptp');

export interface AddDelLatency {
  add: LatencySummary;
  del: LatencySummary;
}

export interface BenchPod {
  netnsPath: string;
  containerId: string;
  name: string;
  uid: string;
}

/** Runs one ADD or DEL for the pod; resolves the time it took (ms) or rejects with the CNI error. */
export type CniRound = (command: 'ADD' | 'DEL', pod: BenchPod) => Promise<number>;

/**
 * ADD then DEL for `iterations` fresh pod namespaces (after `warmup` unmeasured ones). Creating and deleting
 * the pod namespace itself is not measured, as a container runtime does that before ADD and after DEL.
 */
export async function measureAddDel(
  round: CniRound,
  options: { iterations: number; warmup: number; purpose?: string; signal: AbortSignal },
): Promise<AddDelLatency> {
  return (await measureTakingTurns({ only: round }, options)).only;
}

/** As measureAddDel for several plugins, taking turns pod by pod so that the machine's load touches all alike. */
export async function measureTakingTurns<Name extends string>(
  rounds: Record<Name, CniRound>,
  options: { iterations: number; warmup: number; purpose?: string; signal: AbortSignal },
): Promise<Record<Name, AddDelLatency>> {
  const names = Object.keys(rounds) as Name[];
  const samples = new Map(names.map((name) => [name, { add: [] as number[], del: [] as number[] }]));
  for (let i = 0; i < options.warmup + options.iterations; i++) {
    for (const name of names) {
      options.signal.throwIfAborted();
      const [added, deleted] = await onePod(rounds[name], options.purpose ?? 'pod');
      if (i >= options.warmup) {
        samples.get(name)!.add.push(added);
        samples.get(name)!.del.push(deleted);
      }
    }
  }
  return Object.fromEntries(
    names.map((name) => [name, { add: summarize(samples.get(name)!.add), del: summarize(samples.get(name)!.del) }]),
  ) as Record<Name, AddDelLatency>;
}

async function onePod(round: CniRound, purpose: string): Promise<[number, number]> {
  const name = netnsName(purpose);
  const netnsPath = await addNetns(name);
  try {
    const pod = { netnsPath, containerId: `bench-${name}`, name: `bench-${name}`, uid: randomUUID() };
    const added = await round('ADD', pod);
    return [added, await round('DEL', pod)];
  } finally {
    await deleteNetns(name);
  }
}

export function ptpMissing(): string | null {
  return existsSync(PTP) ? null : `${PTP} is missing (apt-get install containernetworking-plugins)`;
}

export interface PtpPlugin {
  round: CniRound;
  close(): Promise<void>;
}

/** ptp + host-local on its own: started, measured, stopped. */
export async function measurePtp(options: { iterations: number; warmup: number; signal: AbortSignal }) {
  const ptp = await startPtp();
  try {
    return await measureAddDel(ptp.round, { ...options, purpose: 'ptppod' });
  } finally {
    await ptp.close();
  }
}

/** ptp + host-local, ready to run in its own throwaway node namespace. */
export async function startPtp(): Promise<PtpPlugin> {
  const cleanup = new Cleanup();
  try {
    const node = netnsName('ptpnode');
    await addNetns(node);
    cleanup.add(`netns ${node}`, () => deleteNetns(node));
    const executor = new NetnsExecutor(node);
    cleanup.add('ptp executor', () => executor.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'ipl-bench-hostlocal-'));
    cleanup.add('host-local state', () => rmSync(dataDir, { recursive: true, force: true }));
    const config = JSON.stringify({
      cniVersion: '1.0.0',
      name: 'ipl-bench-ptp',
      type: 'ptp',
      ipMasq: false,
      mtu: 1400,
      ipam: { type: 'host-local', ranges: [[{ subnet: '10.99.0.0/16' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir },
    });
    const round: CniRound = async (command, pod) => {
      const env = {
        CNI_COMMAND: command,
        CNI_CONTAINERID: pod.containerId,
        CNI_NETNS: pod.netnsPath,
        CNI_IFNAME: 'eth0',
        CNI_PATH: REFERENCE_PLUGINS,
      };
      const result = await executor.exec(PTP, env, config);
      if (result.code !== 0) {
        throw new Error(`ptp ${command} exited ${result.code}: ${result.stdout || result.stderr}`);
      }
      return result.ms;
    };
    return { round, close: () => cleanup.runAll() };
  } catch (error) {
    await cleanup.runAll();
    throw error;
  }
}
