// The leaked-ENI sweeper against ecs-sim: an ENI tagged with this cluster that the ledger does not know is
// deleted on the second sweep that sees it Available, never on the first; the ledger's own ENIs, attached
// ones and other clusters' ENIs are left alone.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AllocatorCore } from '../allocator-core.js';
import { CREATOR, TAG_CLUSTER, TAG_CREATOR } from '../pool/eni-saga.js';
import { PoolLock } from '../pool/pool-lock.js';
import { EniRepository } from '../projections/eni.repository.js';
import { type CoreHarness, TEST_ENI_CONFIG, callContext, startHarness } from '../testing/core-harness.js';
import { LeakedEniSweeper } from './leaked-eni.sweeper.js';

let h: CoreHarness;
let core: AllocatorCore;

beforeAll(async () => {
  h = await startHarness({ label: 'leaked-eni' });
  core = await h.startCore('leaks');
});

afterAll(async () => {
  await h?.close();
});

const createEni = (cluster: string) =>
  h.cloud.createNetworkInterface({
    vswitchId: 'vsw-ith1',
    securityGroupIds: ['sg-itone'],
    clientToken: randomUUID(),
    tags: { [TAG_CLUSTER]: cluster, [TAG_CREATOR]: CREATOR },
  });

describe('leaked-ENI sweeper', () => {
  it('deletes an unknown tagged ENI only after two sightings, and nothing else', async () => {
    const [node] = await h.registerNodes(core, 1, 'ecs.g7.large', 'leak');
    const own = await core.allocations.allocateIp(
      {
        node: node.node,
        pod: { namespace: 'l', name: 'p', uid: 'u' },
        containerId: 'c',
        owner: null,
        idempotencyKey: '',
      },
      callContext(),
    );
    const leaked = await createEni(TEST_ENI_CONFIG.cluster_id);
    const foreign = await createEni('another-cluster');
    const attachedLeak = await createEni(TEST_ENI_CONFIG.cluster_id);
    const instance = await h.sim.admin.createInstance({ instanceType: 'ecs.g7.large', vswitchId: 'vsw-itnodes' });
    await h.cloud.attachNetworkInterface(attachedLeak.id, instance.instanceId);

    const sweeper = new LeakedEniSweeper(
      h.cloud,
      new EniRepository(h.ds),
      new PoolLock(h.ds, 'ipledger.sweeper/'),
      () => core.config.current(),
      { minAgeMs: 0 },
    );
    try {
      const first = await sweeper.sweep();
      expect(first).toEqual({ sighted: [leaked.id], deleted: [] });
      expect(h.sim.admin.getEni(leaked.id)).not.toBeNull();

      const second = await sweeper.sweep();
      expect(second).toEqual({ sighted: [], deleted: [leaked.id] });
      expect(h.sim.admin.getEni(leaked.id)).toBeNull();
      expect(h.sim.admin.getEni(own.eni.id)?.status).toBe('InUse');
      expect(h.sim.admin.getEni(foreign.id)).not.toBeNull();
      expect(h.sim.admin.getEni(attachedLeak.id)?.status).toBe('InUse');

      // Too young: a creation may be about to be recorded.
      const young = await createEni(TEST_ENI_CONFIG.cluster_id);
      const cautious = new LeakedEniSweeper(
        h.cloud,
        new EniRepository(h.ds),
        new PoolLock(h.ds, 'ipledger.sweeper/'),
        () => core.config.current(),
        { minAgeMs: 3_600_000 },
      );
      expect(await cautious.sweep()).toEqual({ sighted: [], deleted: [] });
      expect(await cautious.sweep()).toEqual({ sighted: [], deleted: [] });
      expect(h.sim.admin.getEni(young.id)).not.toBeNull();
      await cautious.stop();
    } finally {
      await sweeper.stop();
    }
  });
});
