import { CloudError } from '@ipledger/cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INSTANCE_TYPES } from '../catalog/instance-type-catalog.js';
import { newToken, SECURITY_GROUPS, type SimAndAdapter, startSimAndAdapter, TEST_TAGS } from './sim-fixture.js';

// The EcsCloudAdapter, on the real @alicloud/ecs20140526 client, against an in-process ecs-sim.

describe('EcsCloudAdapter against ecs-sim', () => {
  let env: SimAndAdapter;

  beforeAll(async () => {
    env = await startSimAndAdapter();
  });

  afterAll(async () => {
    await env?.sim.close();
  });

  it('runs an ENI through its whole life and gives every address back', async () => {
    const { sim, cloud } = env;
    const node = await sim.admin.createInstance({ instanceType: 'ecs.g7.xlarge', vswitchId: 'vsw-simh1' });
    const freeAtStart = sim.admin.state().vswitches.find((v) => v.vswitchId === 'vsw-simh1')!.available;

    const created = await cloud.createNetworkInterface({
      vswitchId: 'vsw-simh1',
      securityGroupIds: SECURITY_GROUPS,
      clientToken: newToken(),
      tags: TEST_TAGS,
    });
    expect(created).toMatchObject({ status: 'Available', type: 'Secondary', instanceId: null, tags: TEST_TAGS });
    expect(created.privateIps).toEqual([created.primaryIp]);

    const attached = await cloud.attachNetworkInterface(created.id, node.instanceId);
    expect(attached).toMatchObject({ status: 'InUse', instanceId: node.instanceId, deviceIndex: 1, mac: created.mac });

    const assigned = await cloud.assignPrivateIpAddresses(created.id, 10);
    expect(assigned).toHaveLength(10);
    const [described] = await cloud.describeNetworkInterfaces({ eniIds: [created.id] });
    expect(described.privateIps).toEqual([created.primaryIp, ...assigned]);

    const tagged = await cloud.describeNetworkInterfaces({ tags: TEST_TAGS, instanceId: node.instanceId });
    expect(tagged.map((e) => e.id)).toEqual([created.id]);

    await cloud.unassignPrivateIpAddresses(created.id, assigned.slice(0, 4));
    const [afterUnassign] = await cloud.describeNetworkInterfaces({ eniIds: [created.id] });
    expect(afterUnassign.privateIps).toEqual([created.primaryIp, ...assigned.slice(4)]);

    await cloud.detachNetworkInterface(created.id, node.instanceId);
    const [detached] = await cloud.describeNetworkInterfaces({ eniIds: [created.id] });
    expect(detached).toMatchObject({ status: 'Available', instanceId: null });

    await cloud.deleteNetworkInterface(created.id);
    expect(await cloud.describeNetworkInterfaces({ eniIds: [created.id] })).toEqual([]);
    expect(sim.admin.state().vswitches.find((v) => v.vswitchId === 'vsw-simh1')!.available).toBe(freeAtStart);
  });

  it('returns the same ENI for the same ClientToken', async () => {
    const clientToken = newToken();
    const input = { vswitchId: 'vsw-simh2', securityGroupIds: SECURITY_GROUPS, clientToken, tags: TEST_TAGS };
    const first = await env.cloud.createNetworkInterface(input);
    const second = await env.cloud.createNetworkInterface(input);
    expect(second.id).toBe(first.id);
    expect(env.sim.admin.state().enis.filter((e) => e.vswitchId === 'vsw-simh2')).toHaveLength(1);
  });

  it('treats a repeated attach, and a delete of a deleted ENI, as done', async () => {
    const { sim, cloud } = env;
    const node = await sim.admin.createInstance({ instanceType: 'ecs.g7.xlarge', vswitchId: 'vsw-simi1' });
    const eni = await cloud.createNetworkInterface({
      vswitchId: 'vsw-simi1',
      securityGroupIds: SECURITY_GROUPS,
      clientToken: newToken(),
      tags: TEST_TAGS,
    });
    await cloud.attachNetworkInterface(eni.id, node.instanceId);
    await expect(cloud.attachNetworkInterface(eni.id, node.instanceId)).resolves.toMatchObject({ status: 'InUse' });
    await cloud.detachNetworkInterface(eni.id, node.instanceId);
    await expect(cloud.detachNetworkInterface(eni.id, node.instanceId)).resolves.toBeUndefined();
    await cloud.deleteNetworkInterface(eni.id);
    await expect(cloud.deleteNetworkInterface(eni.id)).resolves.toBeUndefined();
  });

  it('enforces the ENI and IP limits of the instance type', async () => {
    const { sim, cloud } = env;
    // ecs.g6.large: 2 ENIs (the primary included), 6 addresses per ENI (its primary address included).
    const node = await sim.admin.createInstance({ instanceType: 'ecs.g6.large', vswitchId: 'vsw-simi2' });
    const create = () =>
      cloud.createNetworkInterface({
        vswitchId: 'vsw-simi2',
        securityGroupIds: SECURITY_GROUPS,
        clientToken: newToken(),
        tags: TEST_TAGS,
      });
    const [first, second] = [await create(), await create()];
    await cloud.attachNetworkInterface(first.id, node.instanceId);
    const tooMany = await cloud.attachNetworkInterface(second.id, node.instanceId).catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(CloudError);
    expect(tooMany).toMatchObject({ kind: 'limit-exceeded', code: 'EniPerInstanceLimitExceeded', httpStatus: 403 });

    expect(await cloud.assignPrivateIpAddresses(first.id, 5)).toHaveLength(5);
    const full = await cloud.assignPrivateIpAddresses(first.id, 1).catch((e: unknown) => e);
    expect(full).toMatchObject({ kind: 'limit-exceeded', code: 'InvalidOperation.Ipv4CountExceeded' });
    const [eni] = await cloud.describeNetworkInterfaces({ eniIds: [first.id] });
    expect(eni.privateIps).toHaveLength(6);
  });

  it('refuses more than 10 addresses per call before calling the cloud', async () => {
    const calls = env.calls.length;
    await expect(env.cloud.assignPrivateIpAddresses('eni-any', 11)).rejects.toMatchObject({ kind: 'invalid' });
    expect(env.calls.length).toBe(calls);
  });

  it('reports the published limits of the catalog', async () => {
    const wanted = DEFAULT_INSTANCE_TYPES.map((t) => t.instanceTypeId);
    const limits = await env.cloud.describeInstanceTypes([...wanted, 'ecs.unknown.type']);
    expect(limits).toHaveLength(wanted.length);
    for (const spec of DEFAULT_INSTANCE_TYPES) {
      expect(limits.find((l) => l.instanceType === spec.instanceTypeId)).toEqual({
        instanceType: spec.instanceTypeId,
        eniQuantity: spec.eniQuantity,
        eniPrivateIpAddressQuantity: spec.eniPrivateIpAddressQuantity,
        eniIpv6AddressQuantity: spec.eniIpv6AddressQuantity,
        eniTotalQuantity: spec.eniTotalQuantity,
        eniTrunkSupported: spec.eniTrunkSupported,
      });
    }
    const g7 = limits.find((l) => l.instanceType === 'ecs.g7.4xlarge')!;
    expect((g7.eniQuantity - 1) * g7.eniPrivateIpAddressQuantity).toBe(210);
  });

  it('describes vSwitches with their gateway and free addresses', async () => {
    const [vswitch] = await env.cloud.describeVSwitches(['vsw-simhsmall', 'vsw-simhsmall']);
    expect(vswitch).toMatchObject({
      id: 'vsw-simhsmall',
      zone: 'cn-hangzhou-h',
      cidr: '10.0.255.240/28',
      gateway: '10.0.255.253',
      availableIpCount: 12,
      vpcId: 'vpc-sim',
    });
    expect(await env.cloud.describeVSwitches(['vsw-does-not-exist'])).toEqual([]);
  });
});
