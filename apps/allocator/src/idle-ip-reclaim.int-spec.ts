// Idle-IP reclaim (Terway's idle_ip_reclaim_*) through the application core, the real cloud adapter and
// ecs-sim: with the keys unset a warm pool stays as it is; once they are applied live, a node that saw no pod
// come or go for `idle_ip_reclaim_after` gives its idle addresses back in batches, one batch per interval,
// down to min_pool_size; the cloud holds what the ledger says; and a pod's allocation or release during the
// quiet period starts it again.
import { eniConfigFromObject } from '@ipledger/config';
import { type NodeEvent, nodeStream, toEpochMs } from '@ipledger/domain';
import { waitUntil } from '@ipledger/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AllocatorCore } from './allocator-core.js';
import type { AllocateIpCommand, PoolView } from './ports/index.js';
import { type CoreHarness, TEST_ENI_CONFIG, callContext, startHarness } from './testing/core-harness.js';

const NODE = 'quiet-0';
const TYPE = 'ecs.g7.xlarge'; // pod ENIs of 15 addresses
// min 2, max 10: a fresh node warms to 10 idle addresses (one ENI: its primary and one assign of 9).
const WARM = { ...TEST_ENI_CONFIG, min_pool_size: 2, max_pool_size: 10, ip_cooldown: '0s' };
const RECLAIM = {
  ...WARM,
  idle_ip_reclaim_after: '1s',
  idle_ip_reclaim_interval: '300ms',
  idle_ip_reclaim_batch_size: 2,
  idle_ip_reclaim_jitter_factor: 0.1,
};

let h: CoreHarness;
let core: AllocatorCore;

const pod: AllocateIpCommand = {
  node: NODE,
  pod: { namespace: 'quiet', name: 'pod-a', uid: 'uid-a' },
  containerId: 'c-a',
  owner: null,
  idempotencyKey: '',
};
const pool = (): Promise<PoolView> => core.nodes.describePool(NODE, callContext());
const held = (view: PoolView): number => view.enis.reduce((n, e) => n + e.ips.length, 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unassignRequests = async () =>
  (await core.store.readStream(nodeStream(NODE)))
    .map((e) => e as unknown as NodeEvent)
    .filter((e): e is Extract<NodeEvent, { type: 'IpsUnassignRequested' }> => e.type === 'IpsUnassignRequested');

beforeAll(async () => {
  h = await startHarness({ label: 'idle-ip-reclaim', eniConfig: WARM });
  core = await h.startCore('quiet');
  await h.registerNodes(core, 1, TYPE, 'quiet');
});

afterAll(async () => {
  await h?.close();
});

describe('idle-IP reclaim', () => {
  it('leaves a warm pool alone while idle_ip_reclaim_after is unset', async () => {
    await waitUntil(async () => ((await pool()).idle === 10 ? true : undefined), {
      message: 'node warmed to 10 idle addresses',
      timeoutMs: 20_000,
    });
    h.sim.admin.resetCallCounts();
    await sleep(1_500);
    expect((await pool()).idle).toBe(10);
    expect(h.sim.admin.callCounts().UnassignPrivateIpAddresses.calls).toBe(0);
    expect(await unassignRequests()).toEqual([]);
  });

  it('once quiet, gives idle addresses back in batches down to min_pool_size; pods coming and going delay it', async () => {
    // A pod comes, and reclaim is switched on live: the quiet period starts at the allocation.
    const allocated = await core.allocations.allocateIp(pod, callContext());
    await core.config.apply(eniConfigFromObject(RECLAIM));
    await sleep(600);
    // The pod goes 0.6 s later, during the quiet period: it starts again from the release.
    await core.allocations.releaseIp(
      { node: NODE, pod: pod.pod, containerId: pod.containerId, reason: 'done' },
      callContext(),
    );
    // Nothing is given back before a whole quiet period after the release (the pod's address cools 0 s and is
    // idle again: 10 idle).
    await sleep(600);
    expect(held(await pool())).toBe(10);
    expect(await unassignRequests()).toEqual([]);

    const sizes = new Set<number>();
    const settled = await waitUntil(
      async () => {
        const view = await pool();
        sizes.add(view.idle);
        return view.idle === 2 && held(view) === 2 && view.cooling === 0 ? view : undefined;
      },
      { message: 'pool reclaimed down to min_pool_size (2)', timeoutMs: 20_000, intervalMs: 25 },
    );
    await core.maintainer.idle(NODE);

    // Four steps of two, the first a whole quiet period after the release, the others paced by the timer
    // (300 ms ± 10 %; each gap is a little less when the step before waited for the lock or the database,
    // never the few milliseconds of steps taken in one go), and the pool seen between them.
    const requests = await unassignRequests();
    expect(requests.map((r) => r.data.ips.length)).toEqual([2, 2, 2, 2]);
    const times = requests.map((r) => toEpochMs(r.data.at));
    const events = (await core.store.readStream(nodeStream(NODE))).map((e) => e as unknown as NodeEvent);
    const released = events.find((e) => e.type === 'IpReleased');
    expect(released).toBeDefined();
    expect(times[0]).toBeGreaterThanOrEqual(toEpochMs(released!.data.at) + 1_000);
    for (let i = 1; i < times.length; i++) {
      expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(100);
    }
    expect(times[3] - times[0]).toBeGreaterThanOrEqual(600);
    expect([...sizes].some((n) => n > 2 && n < 10)).toBe(true);
    const eni = settled.enis[0];
    expect(eni.ips).toContain(eni.primaryIp);
    expect(requests.flatMap((r) => r.data.ips)).not.toContain(eni.primaryIp);
    // The pod's address rested the shortest (its cooldown ended last), so it is the one kept with the primary.
    expect(eni.ips).toContain(allocated.ip);

    // The cloud agrees with the ledger, and the calls were the trims' own.
    expect(h.sim.admin.getEni(eni.id)?.privateIps.sort()).toEqual([...eni.ips].sort());
    expect(h.sim.admin.callCounts().UnassignPrivateIpAddresses.succeeded).toBe(4);
    const types = (await core.store.readStream(nodeStream(NODE))).map((e) => e.type);
    expect(types.filter((t) => t === 'IpsUnassigned')).toHaveLength(4);
    const rows = await h.ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ips WHERE node = $1`, [NODE]);
    expect(rows[0]?.n).toBe(2);

    // min_pool_size is a floor: more intervals give nothing more back.
    await sleep(1_000);
    expect(held(await pool())).toBe(2);
    expect(await unassignRequests()).toHaveLength(4);
  });
});
