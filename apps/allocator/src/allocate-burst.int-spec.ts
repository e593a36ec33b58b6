// Many pods at once over many nodes, through the application core with the real cloud adapter against
// ecs-sim: every pod gets a unique address inside its ENI's vSwitch, no node exceeds its max pods, ENIs
// are created and attached only as needed, and the cloud holds exactly what the ledger says.
import { eniConfigFromObject } from '@ipledger/config';
import { nodeStream } from '@ipledger/domain';
import { createProjections } from './projections/index.js';
import { rebuildProjections } from '@ipledger/event-store';
import { waitUntil } from '@ipledger/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AllocatorCore } from './allocator-core.js';
import { type CoreHarness, TEST_ENI_CONFIG, callContext, startHarness } from './testing/core-harness.js';
import { ipInCidr, minimumCalls } from './testing/pool-math.js';

const NODES = 8;
const PODS_PER_NODE = 24;
const TYPE = 'ecs.g7.xlarge'; // 4 ENIs (3 for pods) × 15 addresses: max 45 pods

let h: CoreHarness;
let core: AllocatorCore;

beforeAll(async () => {
  h = await startHarness({ label: 'allocate-burst' });
  core = await h.startCore('burst');
});

afterAll(async () => {
  await h?.close();
});

describe('a cold burst of AllocateIp over many nodes', () => {
  it('gives unique addresses from the right vSwitches with the fewest ENIs', async () => {
    const nodes = await h.registerNodes(core, NODES, TYPE);
    expect(nodes[0]?.maxPods).toBe(45);
    h.sim.admin.resetCallCounts();

    const requests = nodes.flatMap((n) =>
      Array.from({ length: PODS_PER_NODE }, (_, i) => ({
        node: n.node,
        pod: { namespace: 'burst', name: `${n.node}-pod-${i}`, uid: `${n.node}-uid-${i}` },
        containerId: `c-${i}`,
        owner: null,
        idempotencyKey: '',
      })),
    );
    const results = await Promise.all(requests.map((r) => core.allocations.allocateIp(r, callContext())));

    const ips = results.map((r) => r.ip);
    expect(new Set(ips).size).toBe(ips.length);
    for (const result of results) {
      expect(ipInCidr(result.ip, result.vswitchCidr)).toBe(true);
      expect(['vsw-ith1', 'vsw-ith2']).toContain(result.vswitchId);
      const eni = h.sim.admin.getEni(result.eni.id);
      expect(eni?.privateIps).toContain(result.ip);
      expect(eni?.instanceId).toBe(nodes.find((n) => n.node === result.node)?.instanceId);
    }
    const perNode = countBy(results, (r) => r.node);
    expect(Object.values(perNode)).toEqual(Array(NODES).fill(PODS_PER_NODE));

    // Asking again is answered from the ledger: same address, nothing new.
    const again = await core.allocations.allocateIp(requests[0], callContext());
    expect(again.ip).toBe(results[0]?.ip);

    const calls = h.sim.admin.callCounts();
    const minimum = minimumCalls(PODS_PER_NODE, 15);
    expect(calls.CreateNetworkInterface.succeeded).toBe(NODES * minimum.creates);
    expect(calls.AttachNetworkInterface.succeeded).toBe(NODES * minimum.attaches);
    expect(calls.AssignPrivateIpAddresses.succeeded).toBeGreaterThanOrEqual(NODES * minimum.assigns);
    // Waiters are planned for together, so assignments come in full batches (the benchmark's bound).
    expect(calls.AssignPrivateIpAddresses.calls).toBeLessThanOrEqual(Math.ceil(NODES * minimum.assigns * 1.1));
    console.info(
      `cold burst: ${JSON.stringify({ minimum, creates: calls.CreateNetworkInterface.calls, attaches: calls.AttachNetworkInterface.calls, assigns: calls.AssignPrivateIpAddresses.calls })}`,
    );

    const active = await h.ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM allocations WHERE released_at IS NULL`,
    );
    expect(active[0]?.n).toBe(NODES * PODS_PER_NODE);
  });
});

describe('after the burst', () => {
  it('gives a drained pool back to the cloud: down to max_pool_size, then everything once the config says 0', async () => {
    const node = 'node-0';
    const held = await core.allocations.listAllocations(node, callContext());
    expect(held).toHaveLength(PODS_PER_NODE);
    await Promise.all(
      held.map((a) =>
        core.allocations.releaseIp({ node, pod: a.pod, containerId: a.containerId, reason: 'drain' }, callContext()),
      ),
    );
    // As the cooldowns end the maintainer trims the idle addresses down to max_pool_size (5).
    const settled = await waitUntil(
      async () => {
        const view = await core.nodes.describePool(node, callContext());
        const onEnis = view.enis.reduce((n, e) => n + e.ips.length, 0);
        return view.cooling === 0 && view.idle === 5 && onEnis === 5 ? view : undefined;
      },
      { message: 'pool trimmed to max_pool_size', timeoutMs: 20_000 },
    );
    await core.maintainer.idle(node);
    for (const eni of settled.enis) {
      expect(h.sim.admin.getEni(eni.id)?.privateIps.sort()).toEqual([...eni.ips].sort());
    }

    // A config that wants no warm pool at all: the node's ENIs go, detached and deleted.
    await core.config.apply(eniConfigFromObject({ ...TEST_ENI_CONFIG, max_pool_size: 0 }));
    await waitUntil(async () => (await core.nodes.describePool(node, callContext())).enis.length === 0, {
      message: 'every ENI of the drained node deleted',
      timeoutMs: 20_000,
    });
    for (const eniId of new Set(held.map((a) => a.eni.id))) {
      expect(h.sim.admin.getEni(eniId)).toBeNull();
    }
    const types = new Set((await core.store.readStream(nodeStream(node))).map((e) => e.type));
    for (const type of ['IpsUnassignRequested', 'IpsUnassigned', 'EniDetachRequested', 'EniDetached', 'EniDeleted']) {
      expect(types).toContain(type);
    }
    await core.config.apply(h.eniConfig);
  });

  it('rebuilds the projections from the events into the same tables', async () => {
    const dump = async () => {
      const tables: Record<string, unknown[]> = {};
      for (const [table, key] of Object.entries({
        nodes: 'name',
        enis: 'id',
        ips: 'ip',
        allocations: 'id',
        vswitches: 'id',
      })) {
        tables[table] = await h.ds.query(`SELECT * FROM ${table} ORDER BY ${key}`);
      }
      return tables;
    };
    await Promise.all(core.cache.knownNodes().map((n) => core.maintainer.idle(n)));
    const before = await dump();
    const allocations = before.allocations as { released_at: Date | null }[];
    expect(allocations).toHaveLength(NODES * PODS_PER_NODE);
    expect(allocations.filter((a) => a.released_at !== null)).toHaveLength(PODS_PER_NODE);
    await rebuildProjections(h.ds, createProjections());
    expect(await dump()).toEqual(before);
  });
});

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  }
  return counts;
}
