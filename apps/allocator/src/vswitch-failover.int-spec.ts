// vSwitches that run out of addresses: the cloud's InvalidVSwitchId.IpNotEnough blocks the vSwitch (an event
// every replica sees) and the next one of the zone is used; with every vSwitch of the zone out, pods are told
// `vswitch-exhausted`; a vSwitch added to the eni-config is used at once, without a restart.
import { eniConfigFromObject } from '@ipledger/config';
import { nodeStream, vswitchStream } from '@ipledger/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AllocatorCore } from './allocator-core.js';
import type { AllocateIpCommand } from './ports/index.js';
import { type CoreHarness, TEST_ENI_CONFIG, ZONE, callContext, startHarness } from './testing/core-harness.js';
import { ipInCidr } from './testing/pool-math.js';

let h: CoreHarness;
let core: AllocatorCore;

const pod = (node: string, i: number): AllocateIpCommand => ({
  node,
  pod: { namespace: 'fo', name: `${node}-${i}`, uid: `${node}-uid-${i}` },
  containerId: 'c',
  owner: null,
  idempotencyKey: '',
});

beforeAll(async () => {
  h = await startHarness({ label: 'vswitch-failover' });
  core = await h.startCore('failover', { allocateWaitMs: 3_000 });
});

afterAll(async () => {
  await h?.close();
});

describe('vSwitch exhaustion', () => {
  it('blocks a vSwitch the cloud says is out and creates the ENI on the next one', async () => {
    // Node A's first ENI goes to vsw-ith1 (equal room, first id); vsw-ith2's free count stays cached.
    const [a] = await h.registerNodes(core, 1, 'ecs.g7.xlarge', 'fo-a');
    expect((await core.allocations.allocateIp(pod(a.node, 0), callContext())).vswitchId).toBe('vsw-ith1');
    // Now vsw-ith2 runs out, unbeknown to the cached count: node B's ENI is tried there first.
    h.sim.admin.exhaustVSwitch('vsw-ith2');
    const [b] = await h.registerNodes(core, 1, 'ecs.g7.xlarge', 'fo-b');
    const allocations = await Promise.all(
      [0, 1, 2].map((i) => core.allocations.allocateIp(pod(b.node, i), callContext())),
    );
    for (const allocation of allocations) {
      expect(allocation.vswitchId).toBe('vsw-ith1');
      expect(ipInCidr(allocation.ip, '10.1.1.0/24')).toBe(true);
    }
    const blocked = await core.store.readStream(vswitchStream('vsw-ith2'));
    expect(blocked.map((e) => e.type)).toContain('VSwitchBlocked');
    const [row] = await h.ds.query<{ blocked_until: Date; blocked_reason: string }[]>(
      `SELECT blocked_until, blocked_reason FROM vswitches WHERE id = 'vsw-ith2'`,
    );
    expect(row?.blocked_reason).toBe('InvalidVSwitchId.IpNotEnough');
    expect(row.blocked_until.getTime()).toBeGreaterThan(Date.now());
    const nodeEvents = await core.store.readStream(nodeStream(b.node));
    const failed = nodeEvents.find((e) => e.type === 'EniCreateFailed');
    expect(failed?.data).toMatchObject({ vswitchId: 'vsw-ith2', code: 'InvalidVSwitchId.IpNotEnough' });
  });

  it('tells waiting pods vswitch-exhausted once every vSwitch of the zone is out', async () => {
    h.sim.admin.exhaustVSwitch('vsw-ith1');
    const [node] = await h.registerNodes(core, 1, 'ecs.g7.xlarge', 'fo-c');
    const error = await core.allocations.allocateIp(pod(node.node, 0), callContext()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'resource-exhausted', details: { reason: 'vswitch-exhausted' } });
  });

  it('uses a vSwitch added to the eni-config without a restart', async () => {
    await h.sim.admin.addVSwitch({ id: 'vsw-ith3', zoneId: ZONE, cidr: '10.1.3.0/24' });
    const vswitches = { ...TEST_ENI_CONFIG.vswitches, [ZONE]: ['vsw-ith1', 'vsw-ith2', 'vsw-ith3'] };
    await core.config.apply(eniConfigFromObject({ ...TEST_ENI_CONFIG, vswitches }));
    const allocation = await core.allocations.allocateIp(pod('fo-c-0', 1), callContext());
    expect(allocation.vswitchId).toBe('vsw-ith3');
    const applied = await core.store.readStream('cluster');
    expect(applied.map((e) => (e.data as { version: number }).version)).toEqual([1, 2]);
  });
});
