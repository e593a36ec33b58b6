import EcsModule, * as $Ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEcsSim, startEcsSim } from '../start-ecs-sim.js';
import { type FabricEni, type FabricInstance, type FabricVSwitch, type VpcFabric } from '../vpc/vpc-fabric.js';

// ecs-sim as the unmodified SDK sees it: answers, error codes and statuses, paging, throttling windows, the
// admin API over HTTP, and the order in which the VPC fabric hears about changes.

type EcsClient = InstanceType<typeof EcsModule.default>;

function sdkClient(endpoint: string): EcsClient {
  const candidate = (EcsModule as unknown as { default?: unknown }).default;
  const EcsClass = (typeof candidate === 'function' ? candidate : EcsModule) as typeof EcsModule.default;
  return new EcsClass(
    new $OpenApiUtil.Config({
      accessKeyId: 'ak',
      accessKeySecret: 'sk',
      regionId: 'cn-hangzhou',
      endpoint,
      protocol: 'http',
    }),
  );
}

class RecordingFabric implements VpcFabric {
  readonly events: string[] = [];
  addVSwitch(v: FabricVSwitch): Promise<void> {
    return this.record(`addVSwitch ${v.id} ${v.cidr} gw ${v.gateway}`);
  }
  attachEni(i: FabricInstance, e: FabricEni, deviceIndex: number): Promise<void> {
    return this.record(`attachEni ${i.instanceId} ${e.eniId} #${deviceIndex}`);
  }
  detachEni(i: FabricInstance, e: FabricEni): Promise<void> {
    return this.record(`detachEni ${i.instanceId} ${e.eniId}`);
  }
  assignIps(e: FabricEni, ips: string[]): Promise<void> {
    return this.record(`assignIps ${e.eniId} ${ips.join(',')}`);
  }
  unassignIps(e: FabricEni, ips: string[]): Promise<void> {
    return this.record(`unassignIps ${e.eniId} ${ips.join(',')}`);
  }
  close(): Promise<void> {
    return this.record('close');
  }
  private record(event: string): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
}

async function sdkError(call: Promise<unknown>): Promise<{ name: string; code: string; statusCode: number }> {
  const error = (await call.then(
    () => ({}),
    (e: unknown) => e,
  )) as { name: string; code: string; statusCode: number };
  return { name: error.name, code: error.code, statusCode: error.statusCode };
}

describe('ecs-sim OpenAPI', () => {
  const fabric = new RecordingFabric();
  let now = 1_000_000;
  let sim: RunningEcsSim;
  let ecs: EcsClient;
  const regionId = 'cn-hangzhou';

  beforeAll(async () => {
    sim = await startEcsSim({
      fabric,
      now: () => now,
      config: { attachDelayMs: 5, detachDelayMs: 5, throttleLimits: { DescribeVSwitches: 3 } },
      instances: [
        { instanceId: 'i-node-a', instanceType: 'ecs.g7.xlarge', vswitchId: 'vsw-simh1', netns: 'ipl-node-a' },
      ],
    });
    ecs = sdkClient(sim.endpoint);
  });

  afterAll(async () => {
    await sim?.close();
  });

  const create = (extra: Partial<$Ecs.CreateNetworkInterfaceRequest> = {}) =>
    ecs.createNetworkInterface(
      new $Ecs.CreateNetworkInterfaceRequest({ regionId, vSwitchId: 'vsw-simh1', securityGroupId: 'sg-1', ...extra }),
    );

  it('tells the fabric about vSwitches, the primary ENI, then each attach and its addresses, in order', async () => {
    const primary = sim.admin.getEni(sim.admin.getInstance('i-node-a')!.primaryEniId)!;
    expect(fabric.events).toEqual([
      'addVSwitch vsw-simh1 10.0.1.0/24 gw 10.0.1.253',
      'addVSwitch vsw-simh2 10.0.2.0/24 gw 10.0.2.253',
      'addVSwitch vsw-simi1 10.0.3.0/24 gw 10.0.3.253',
      'addVSwitch vsw-simi2 10.0.4.0/24 gw 10.0.4.253',
      'addVSwitch vsw-simhsmall 10.0.255.240/28 gw 10.0.255.253',
      `attachEni i-node-a ${primary.eniId} #0`,
      `assignIps ${primary.eniId} ${primary.primaryIp}`,
    ]);
    fabric.events.length = 0;
    const eni = (await create()).body!;
    await ecs.attachNetworkInterface(
      new $Ecs.AttachNetworkInterfaceRequest({
        regionId,
        networkInterfaceId: eni.networkInterfaceId,
        instanceId: 'i-node-a',
      }),
    );
    expect(sim.admin.getEni(eni.networkInterfaceId!)?.status).toBe('Attaching');
    expect(fabric.events).toEqual([]);
    await sim.admin.settle();
    const assigned = (
      await ecs.assignPrivateIpAddresses(
        new $Ecs.AssignPrivateIpAddressesRequest({
          regionId,
          networkInterfaceId: eni.networkInterfaceId,
          secondaryPrivateIpAddressCount: 2,
        }),
      )
    ).body!.assignedPrivateIpAddressesSet!.privateIpSet!.privateIpAddress!;
    await ecs.detachNetworkInterface(
      new $Ecs.DetachNetworkInterfaceRequest({
        regionId,
        networkInterfaceId: eni.networkInterfaceId,
        instanceId: 'i-node-a',
      }),
    );
    await sim.admin.settle();
    const id = eni.networkInterfaceId!;
    expect(fabric.events).toEqual([
      `attachEni i-node-a ${id} #1`,
      `assignIps ${id} ${eni.privateIpAddress}`,
      `assignIps ${id} ${assigned.join(',')}`,
      `unassignIps ${id} ${[eni.privateIpAddress, ...assigned].join(',')}`,
      `detachEni i-node-a ${id}`,
    ]);
  });

  it('answers errors with the codes and statuses of the ECS API reference', async () => {
    expect(await sdkError(create({ securityGroupId: undefined }))).toEqual({
      name: 'ClientError',
      code: 'MissingParameter',
      statusCode: 400,
    });
    expect(await sdkError(create({ vSwitchId: 'vsw-nope' }))).toMatchObject({
      code: 'InvalidVSwitchId.NotFound',
      statusCode: 404,
    });
    const delInUse = ecs.deleteNetworkInterface(
      new $Ecs.DeleteNetworkInterfaceRequest({
        regionId,
        networkInterfaceId: sim.admin.getInstance('i-node-a')!.primaryEniId,
      }),
    );
    expect(await sdkError(delInUse)).toMatchObject({ code: 'InvalidOperation.InvalidEniState', statusCode: 400 });
    const attachNowhere = ecs.attachNetworkInterface(
      new $Ecs.AttachNetworkInterfaceRequest({
        regionId,
        networkInterfaceId: (await create()).body!.networkInterfaceId,
        instanceId: 'i-nope',
      }),
    );
    expect(await sdkError(attachNowhere)).toMatchObject({ code: 'InvalidInstanceId.NotFound', statusCode: 403 });
    const detachPrimary = ecs.detachNetworkInterface(
      new $Ecs.DetachNetworkInterfaceRequest({
        regionId,
        networkInterfaceId: sim.admin.getInstance('i-node-a')!.primaryEniId,
        instanceId: 'i-node-a',
      }),
    );
    expect(await sdkError(detachPrimary)).toMatchObject({ code: 'InvalidOperation.DetachPrimaryEniNotAllowed' });
  });

  it('takes chosen addresses only when they are free, inside the CIDR and not reserved', async () => {
    const eniId = (await create({ primaryIpAddress: '10.0.1.200' })).body!.networkInterfaceId!;
    const assign = (ips: string[]) =>
      ecs.assignPrivateIpAddresses(
        new $Ecs.AssignPrivateIpAddressesRequest({ regionId, networkInterfaceId: eniId, privateIpAddress: ips }),
      );
    expect(
      (await assign(['10.0.1.201', '10.0.1.202'])).body!.assignedPrivateIpAddressesSet!.privateIpSet!.privateIpAddress,
    ).toEqual(['10.0.1.201', '10.0.1.202']);
    expect(await sdkError(assign(['10.0.1.201']))).toMatchObject({ code: 'InvalidIp.IpAssigned', statusCode: 403 });
    for (const reserved of ['10.0.1.0', '10.0.1.253', '10.0.1.254', '10.0.1.255', '10.0.2.7']) {
      expect(await sdkError(assign([reserved]))).toMatchObject({ code: 'InvalidVSwitchId.IpInvalid', statusCode: 403 });
    }
    expect(await sdkError(create({ primaryIpAddress: '10.0.1.253' }))).toMatchObject({
      code: 'InvalidVSwitchId.IpInvalid',
    });
    // A refused batch takes nothing: .203 is still free afterwards.
    expect(await sdkError(assign(['10.0.1.203', '10.0.1.253']))).toMatchObject({ code: 'InvalidVSwitchId.IpInvalid' });
    await expect(assign(['10.0.1.203'])).resolves.toBeDefined();
  });

  it('answers the same ENI for a repeated ClientToken and refuses it for a different request', async () => {
    const first = (await create({ clientToken: 'tok-a' })).body!;
    const again = (await create({ clientToken: 'tok-a' })).body!;
    expect(again.networkInterfaceId).toBe(first.networkInterfaceId);
    expect(await sdkError(create({ clientToken: 'tok-a', description: 'other' }))).toMatchObject({
      code: 'IdempotentParameterMismatch',
      statusCode: 400,
    });
  });

  it('filters by tag and pages with NextToken as well as with page numbers', async () => {
    const tag = [new $Ecs.CreateNetworkInterfaceRequestTag({ key: 'batch', value: 'paging' })];
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      ids.push((await create({ tag })).body!.networkInterfaceId!);
    }
    const filter = { regionId, tag: [new $Ecs.DescribeNetworkInterfacesRequestTag({ key: 'batch', value: 'paging' })] };
    const byToken: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = (
        await ecs.describeNetworkInterfaces(
          new $Ecs.DescribeNetworkInterfacesRequest({ ...filter, maxResults: 3, nextToken }),
        )
      ).body!;
      byToken.push(...page.networkInterfaceSets!.networkInterfaceSet!.map((e) => e.networkInterfaceId!));
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    expect(byToken).toEqual(ids);
    const page3 = (
      await ecs.describeNetworkInterfaces(
        new $Ecs.DescribeNetworkInterfacesRequest({ ...filter, pageSize: 3, pageNumber: 3 }),
      )
    ).body!;
    expect(page3.totalCount).toBe(7);
    expect(page3.networkInterfaceSets!.networkInterfaceSet!.map((e) => e.networkInterfaceId)).toEqual([ids[6]]);
  });

  it('throttles per API in fixed windows: a call throttled in window T passes in T+1', async () => {
    now = 60_000 * 500;
    const describe = () => ecs.describeVSwitches(new $Ecs.DescribeVSwitchesRequest({ regionId }));
    for (let i = 0; i < 3; i += 1) {
      await describe();
    }
    expect(await sdkError(describe())).toEqual({ name: 'ThrottlingError', code: 'Throttling.User', statusCode: 400 });
    await expect(ecs.describeInstanceTypes(new $Ecs.DescribeInstanceTypesRequest({}))).resolves.toBeDefined();
    now += 60_000;
    await expect(describe()).resolves.toBeDefined();
    expect(sim.admin.callCounts().DescribeVSwitches).toMatchObject({ calls: 5, throttled: 1, succeeded: 4 });
  });

  it('is driven over HTTP through /admin', async () => {
    const base = `http://${sim.endpoint}/admin`;
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    const created = await post('/instances', {
      instanceType: 'ecs.g6.large',
      zone: 'cn-hangzhou-i',
      vswitchId: 'vsw-simi1',
    });
    expect(created.status).toBe(201);
    const instance = (await created.json()) as { instanceId: string; primaryIp: string };
    expect(instance.primaryIp).toMatch(/^10\.0\.3\./);
    expect((await fetch(`${base}/instances/${instance.instanceId}`)).status).toBe(200);
    expect((await post('/instances', { instanceType: 'ecs.nope', vswitchId: 'vsw-simi1' })).status).toBe(400);

    expect(
      (await post('/faults', { rate: 1, codes: ['Operation.Conflict'], apis: ['DescribeInstanceTypes'] })).status,
    ).toBe(200);
    expect(await sdkError(ecs.describeInstanceTypes(new $Ecs.DescribeInstanceTypesRequest({})))).toMatchObject({
      code: 'Operation.Conflict',
      statusCode: 403,
    });
    expect((await fetch(`${base}/faults`, { method: 'DELETE' })).status).toBe(200);
    expect((await post('/config', { latencyMs: 1 })).status).toBe(200);
    expect(sim.admin.config().latencyMs).toBe(1);

    expect((await fetch(`${base}/instances/${instance.instanceId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${base}/instances/${instance.instanceId}`)).status).toBe(404);
    const state = (await (await fetch(`${base}/state`)).json()) as {
      vswitches: { vswitchId: string; gateway: string }[];
    };
    expect(state.vswitches.find((v) => v.vswitchId === 'vsw-simi1')?.gateway).toBe('10.0.3.253');
  });
});
