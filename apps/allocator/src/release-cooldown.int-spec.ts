// Release, cooldown and history on a small node (ecs.g6.large: one pod ENI of 6 addresses, max 6 pods):
// a released address rests until its cooldown ends and only then goes to the next pod; an address whose
// teardown the node never confirmed is never handed out; the ledger answers who held an address when.
import { DomainError } from '@ipledger/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AllocatorCore } from './allocator-core.js';
import type { AllocateIpCommand, AllocationResult, HistoryEntryView } from './ports/index.js';
import { type CoreHarness, callContext, startHarness } from './testing/core-harness.js';

const NODE = 'small-0';
let h: CoreHarness;
let core: AllocatorCore;

const pod = (i: number): AllocateIpCommand => ({
  node: NODE,
  pod: { namespace: 'cool', name: `pod-${i}`, uid: `uid-${i}` },
  containerId: `c-${i}`,
  owner: { kind: 'StatefulSet', name: 'db', uid: 'sts-1' },
  idempotencyKey: '',
});
const allocate = (i: number, on = core) => on.allocations.allocateIp(pod(i), callContext());
const release = (i: number) =>
  core.allocations.releaseIp({ node: NODE, pod: pod(i).pod, containerId: `c-${i}`, reason: 'cni-del' }, callContext());

async function collect(iterable: AsyncIterable<HistoryEntryView>): Promise<HistoryEntryView[]> {
  const entries: HistoryEntryView[] = [];
  for await (const entry of iterable) {
    entries.push(entry);
  }
  return entries;
}

beforeAll(async () => {
  h = await startHarness({ label: 'release-cooldown' });
  core = await h.startCore('cool');
  await h.registerNodes(core, 1, 'ecs.g6.large', 'small');
});

afterAll(async () => {
  await h?.close();
});

describe('release and cooldown', () => {
  const held: AllocationResult[] = [];

  it('fills the node up to its max pods, then refuses at once', async () => {
    held.push(...(await Promise.all([0, 1, 2, 3, 4, 5].map((i) => allocate(i)))));
    expect(new Set(held.map((a) => a.ip)).size).toBe(6);
    const error = await allocate(99).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'resource-exhausted', details: { reason: 'max-pods' } });
  });

  it('hands a released address out again only after its cooldown, never one whose teardown is pending', async () => {
    // The allocator asks for pod 1's teardown (its pod is gone) but the node never confirms it.
    const now = new Date().toISOString();
    await core.cache.execute(NODE, () => ({
      type: 'RequestRelease',
      podUid: 'uid-1',
      containerId: 'c-1',
      reason: 'pod-deleted',
      now,
    }));
    const released = await release(0);
    expect(released).toMatchObject({ released: true, ip: held[0]?.ip });
    expect(Date.parse(released.heldUntil)).toBeGreaterThan(Date.now());

    const next = await allocate(6);
    expect(next.ip).toBe(held[0]?.ip);
    expect(Date.parse(next.allocatedAt)).toBeGreaterThanOrEqual(Date.parse(released.heldUntil));

    // Pod 1's address is still held: the only way to more room is another release.
    await release(2);
    const after = await allocate(7);
    expect(after.ip).toBe(held[2]?.ip);
    const [stillHeld] = await h.ds.query<{ state: string }[]>(`SELECT state FROM ips WHERE ip = $1`, [held[1]?.ip]);
    expect(stillHeld?.state).toBe('releasing');
  });

  it('answers a repeated or unknown release with released = false', async () => {
    expect(await release(0)).toEqual({ released: false, ip: '', heldUntil: '' });
    const unknownNode = await core.allocations.releaseIp(
      { node: 'nowhere', pod: pod(0).pod, containerId: 'c-0', reason: 'cni-del' },
      callContext(),
    );
    expect(unknownNode.released).toBe(false);
  });

  it('tells a pod that waited in vain why: the node is at its ENI limit', async () => {
    const impatient = await h.startCore('impatient', { allocateWaitMs: 300 });
    await release(3);
    const error = await allocate(8, impatient).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'resource-exhausted', details: { reason: 'eni-limit' } });
  });

  it('answers who held an address, and when', async () => {
    const ip = held[0].ip;
    const entries = await collect(
      core.history.history({ subject: { kind: 'ip', ip }, from: null, to: null }, callContext()),
    );
    const types = entries.map((e) => e.type);
    expect(types.slice(types.indexOf('IpAllocated'))).toEqual([
      'IpAllocated',
      'PodTeardownConfirmed',
      'IpReleased',
      'IpCooldownEnded',
      'IpAllocated',
    ]);
    const holders = entries
      .filter((e) => e.type === 'IpAllocated')
      .map((e) => (JSON.parse(e.dataJson) as { pod: { name: string } }).pod.name);
    expect(holders).toEqual(['pod-0', 'pod-6']);
    const positions = entries.map((e) => BigInt(e.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));

    // Bounded in time: from the second allocation on, only it.
    const second = entries.filter((e) => e.type === 'IpAllocated')[1];
    const later = await collect(
      core.history.history({ subject: { kind: 'ip', ip }, from: second.at, to: null }, callContext()),
    );
    expect(later.map((e) => e.type)).toEqual(['IpAllocated']);

    const byPod = await collect(
      core.history.history(
        { subject: { kind: 'pod', pod: { namespace: 'cool', name: 'pod-0', uid: null } }, from: null, to: null },
        callContext(),
      ),
    );
    expect(byPod.map((e) => e.type)).toEqual(['IpAllocated', 'PodTeardownConfirmed', 'IpReleased']);
  });
});
