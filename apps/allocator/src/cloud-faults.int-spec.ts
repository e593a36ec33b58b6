// A cloud that fails one call in ten (throttling, conflicts, internal errors; some after the change was
// made, as when an answer is lost), behind an adapter that does not retry, so that every failure reaches the
// pool maintainer: every pod still gets an address in the end, each failure is recorded in the ledger, and
// the cloud holds exactly the ENIs and addresses the ledger knows.
import { DomainError, nodeStream } from '@ipledger/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AllocatorCore } from './allocator-core.js';
import type { AllocateIpCommand, AllocationResult } from './ports/index.js';
import { type CoreHarness, TEST_ENI_CONFIG, callContext, startHarness } from './testing/core-harness.js';

const NODES = 5;
const PODS = 20;
let h: CoreHarness;
let core: AllocatorCore;

beforeAll(async () => {
  h = await startHarness({
    label: 'cloud-faults',
    adapter: { retry: { maxAttempts: 1 } },
  });
  core = await h.startCore('faults', { allocateWaitMs: 5_000 });
});

afterAll(async () => {
  await h?.close();
});

/** What a node agent does: ask again while the allocator says "not now". */
async function allocateUntilDone(command: AllocateIpCommand, deadline: number): Promise<AllocationResult> {
  for (;;) {
    try {
      return await core.allocations.allocateIp(command, callContext());
    } catch (error) {
      const retryable =
        error instanceof DomainError && (error.code === 'unavailable' || error.code === 'resource-exhausted');
      if (!retryable || Date.now() > deadline) {
        throw error;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('a cloud that fails 10 % of calls', () => {
  it('still gives every pod an address, records the failures and leaks nothing', async () => {
    const nodes = await h.registerNodes(core, NODES, 'ecs.g7.xlarge', 'flaky');
    h.sim.admin.setFaults({
      rules: [
        { rate: 0.07, codes: ['Throttling.User', 'InternalError', 'Operation.Conflict'], phase: 'before' },
        {
          apis: ['CreateNetworkInterface', 'AttachNetworkInterface', 'AssignPrivateIpAddresses'],
          rate: 0.03,
          codes: ['InternalError'],
          phase: 'after',
        },
      ],
    });
    const deadline = Date.now() + 45_000;
    const results = await Promise.all(
      nodes.flatMap((n) =>
        Array.from({ length: PODS }, (_, i) =>
          allocateUntilDone(
            {
              node: n.node,
              pod: { namespace: 'flaky', name: `${n.node}-${i}`, uid: `${n.node}-uid-${i}` },
              containerId: 'c',
              owner: null,
              idempotencyKey: '',
            },
            deadline,
          ),
        ),
      ),
    );
    h.sim.admin.clearFaults();

    expect(new Set(results.map((r) => r.ip)).size).toBe(NODES * PODS);
    const faulted = Object.values(h.sim.admin.callCounts()).reduce((sum, c) => sum + c.faulted, 0);
    expect(faulted).toBeGreaterThan(0);
    const failures = await h.ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM events WHERE type = 'CloudCallFailed' AND stream_id = ANY($1)`,
      [nodes.map((n) => nodeStream(n.node))],
    );
    expect(failures[0]?.n).toBeGreaterThan(0);

    // Let every node's maintainer finish what the failures interrupted, then compare cloud and ledger.
    await Promise.all(nodes.map((n) => core.maintainer.idle(n.node)));
    for (const r of results) {
      expect(h.sim.admin.getEni(r.eni.id)?.privateIps).toContain(r.ip);
    }
    const ledgerEnis = (await h.ds.query<{ id: string }[]>(`SELECT id FROM enis ORDER BY id`)).map((r) => r.id);
    const cloudEnis = h.sim.admin
      .state()
      .enis.filter((e) => e.tags['ipledger.io/cluster'] === TEST_ENI_CONFIG.cluster_id)
      .map((e) => e.eniId)
      .sort();
    expect(cloudEnis).toEqual(ledgerEnis);
  });
});
