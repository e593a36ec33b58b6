import { CloudError } from '@ipledger/cloud';
import { afterEach, describe, expect, it } from 'vitest';
import { newToken, SECURITY_GROUPS, type SimAndAdapter, startSimAndAdapter, TEST_TAGS } from './sim-fixture.js';

// How the adapter copes with what the cloud throws at it: throttling, injected faults, lost responses,
// exhausted vSwitches and failed attachments.

describe('EcsCloudAdapter under cloud trouble', () => {
  let env: SimAndAdapter | undefined;

  afterEach(async () => {
    await env?.sim.close();
    env = undefined;
  });

  const eniInput = (vswitchId = 'vsw-simh1') => ({
    vswitchId,
    securityGroupIds: SECURITY_GROUPS,
    clientToken: newToken(),
    tags: TEST_TAGS,
  });

  it('waits out the per-minute throttling of the cloud and succeeds', async () => {
    env = await startSimAndAdapter(
      { config: { throttleWindowMs: 300, throttleLimits: { DescribeNetworkInterfaces: 2 } } },
      { retry: { maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 300 } },
    );
    for (let i = 0; i < 6; i += 1) {
      await env.cloud.describeNetworkInterfaces({ tags: TEST_TAGS });
    }
    const counts = env.sim.admin.callCounts().DescribeNetworkInterfaces;
    expect(counts.succeeded).toBe(6);
    expect(counts.throttled).toBeGreaterThan(0);
    expect(env.calls.filter((c) => c.code === 'Throttling.User').length).toBe(counts.throttled);
  });

  it('reuses the ClientToken when a creation answered an error after it took effect', async () => {
    // The first answer is lost after the ENI was made; the fault is lifted before the retry goes out.
    env = await startSimAndAdapter({}, {}, (event, sim) => {
      if (event.code === 'InternalError') {
        sim.admin.clearFaults();
      }
    });
    const { sim, cloud } = env;
    sim.admin.setFaults({
      rules: [{ apis: ['CreateNetworkInterface'], rate: 1, codes: ['InternalError'], phase: 'after' }],
    });
    const created = await cloud.createNetworkInterface(eniInput());
    const counts = sim.admin.callCounts().CreateNetworkInterface;
    expect(counts).toMatchObject({ calls: 2, faulted: 1, succeeded: 1 });
    expect(
      sim.admin
        .state()
        .enis.filter((e) => e.type === 'Secondary')
        .map((e) => e.eniId),
    ).toEqual([created.id]);
  });

  /** Three ENIs per node, each created, attached, filled, emptied, detached and deleted. */
  async function eniBatch(current: SimAndAdapter): Promise<void> {
    const { sim, cloud } = current;
    const nodes = [
      await sim.admin.createInstance({ instanceType: 'ecs.g7.xlarge', vswitchId: 'vsw-simh1' }),
      await sim.admin.createInstance({ instanceType: 'ecs.g7.xlarge', vswitchId: 'vsw-simh2' }),
    ];
    await Promise.all(
      nodes.map(async (node) => {
        for (let i = 0; i < 3; i += 1) {
          const eni = await cloud.createNetworkInterface(eniInput(node.vswitchId));
          await cloud.attachNetworkInterface(eni.id, node.instanceId);
          const ips = [
            ...(await cloud.assignPrivateIpAddresses(eni.id, 10)),
            ...(await cloud.assignPrivateIpAddresses(eni.id, 4)),
          ];
          await cloud.unassignPrivateIpAddresses(eni.id, ips);
          await cloud.detachNetworkInterface(eni.id, node.instanceId);
          await cloud.deleteNetworkInterface(eni.id);
        }
      }),
    );
  }

  function freeAddresses(current: SimAndAdapter): number {
    return current.sim.admin.state().vswitches.reduce((sum, v) => sum + v.available, 0);
  }

  it('completes a batch of ENI work with 10 % of calls failing', async () => {
    env = await startSimAndAdapter({
      seed: 20261121,
      faults: { rules: [{ rate: 0.1, codes: ['Throttling.User', 'InternalError', 'Operation.Conflict'] }] },
    });
    await eniBatch(env);
    expect(env.sim.admin.state().enis.filter((e) => e.type !== 'Primary')).toEqual([]);
    expect(env.sim.admin.totalCalls('faulted')).toBeGreaterThan(0);
    expect(env.calls.some((c) => c.attempt > 1 && c.code === 'OK')).toBe(true);
  });

  it('completes the batch, leaking nothing, when 30 % of answers are lost after the change took effect', async () => {
    env = await startSimAndAdapter({
      seed: 7,
      faults: { rules: [{ rate: 0.3, codes: ['InternalError', 'ServiceUnavailable'], phase: 'after' }] },
    });
    const before = freeAddresses(env);
    await eniBatch(env);
    expect(env.sim.admin.state().enis.filter((e) => e.type !== 'Primary')).toEqual([]);
    // Only the two instances' primary addresses are still taken.
    expect(before - freeAddresses(env)).toBe(2);
    const lost = env.sim.admin.callCounts();
    const retried = [
      'CreateNetworkInterface',
      'AttachNetworkInterface',
      'AssignPrivateIpAddresses',
      'UnassignPrivateIpAddresses',
      'DetachNetworkInterface',
    ] as const;
    // Which APIs lose an answer depends on how concurrent calls interleave with the seeded faults, so the
    // test asks only that answers were lost and retried, and (above) that nothing leaked in the end.
    expect(retried.reduce((sum, api) => sum + lost[api].faulted, 0)).toBeGreaterThan(0);
    expect(env.calls.some((c) => c.attempt > 1 && c.code === 'OK')).toBe(true);
  });

  it('reports an exhausted vSwitch as vswitch-exhausted', async () => {
    env = await startSimAndAdapter({ faults: { exhaustedVSwitches: ['vsw-simh1'] } });
    const error = await env.cloud.createNetworkInterface(eniInput('vsw-simh1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudError);
    expect(error).toMatchObject({ kind: 'vswitch-exhausted', code: 'InvalidVSwitchId.IpNotEnough', httpStatus: 403 });
    expect((await env.cloud.describeVSwitches(['vsw-simh1']))[0]?.availableIpCount).toBe(0);
    await expect(env.cloud.createNetworkInterface(eniInput('vsw-simh2'))).resolves.toMatchObject({
      status: 'Available',
    });
  });

  it('fills a small vSwitch with exactly its usable addresses, never the reserved ones or the gateway', async () => {
    env = await startSimAndAdapter();
    const { cloud } = env;
    const eni = await cloud.createNetworkInterface(eniInput('vsw-simhsmall'));
    const handed = [eni.primaryIp];
    let exhausted: unknown;
    while (exhausted === undefined) {
      try {
        handed.push(...(await cloud.assignPrivateIpAddresses(eni.id, 1)));
      } catch (error) {
        exhausted = error;
      }
    }
    expect(exhausted).toMatchObject({ kind: 'vswitch-exhausted' });
    expect([...handed].sort()).toEqual(Array.from({ length: 12 }, (_, i) => `10.0.255.${241 + i}`).sort());
    await expect(cloud.createNetworkInterface(eniInput('vsw-simhsmall'))).rejects.toMatchObject({
      kind: 'vswitch-exhausted',
    });
  });

  it('surfaces a failed attachment instead of waiting for ever', async () => {
    env = await startSimAndAdapter({ faults: { attachFailureRate: 1 } });
    const node = await env.sim.admin.createInstance({ instanceType: 'ecs.g7.xlarge', vswitchId: 'vsw-simh1' });
    const eni = await env.cloud.createNetworkInterface(eniInput());
    const error = await env.cloud.attachNetworkInterface(eni.id, node.instanceId).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'internal', code: 'EniAttachFailed', retryable: true });
    expect(env.sim.admin.getEni(eni.id)).toMatchObject({ status: 'Available', instanceId: null });
  });

  it('never puts credentials into errors', async () => {
    env = await startSimAndAdapter();
    await env.sim.close();
    const error = (await env.cloud.describeVSwitches(['vsw-simh1']).catch((e: unknown) => e)) as CloudError;
    expect(error.kind).toBe('internal');
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toMatch(
      /LTAIintegrationKey|integrationSecretValue/,
    );
  });
});
