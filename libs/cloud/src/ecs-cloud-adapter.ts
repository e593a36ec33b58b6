import { randomUUID } from 'node:crypto';
import * as $Ecs from '@alicloud/ecs20140526';
import { type CloudApiName } from './cloud-api.js';
import { CloudCallRunner } from './cloud-call-runner.js';
import { type CloudClock, systemClock } from './cloud-clock.js';
import { type CloudObserver } from './cloud-observer.js';
import {
  type AttachEniOptions,
  type CloudEni,
  CloudError,
  type CloudPort,
  type CloudVSwitch,
  type CreateEniInput,
  type DescribeEnisFilter,
  type InstanceTypeLimits,
} from './cloud.port.js';
import { createEcsClient, type EcsClient, type EcsClientOptions } from './ecs-client.factory.js';
import { toCloudEni, toCloudVSwitch, toInstanceTypeLimits } from './ecs-model.mapper.js';
import { DEFAULT_POLL_POLICY, EniAttachments, type EniPollPolicy } from './eni-attachments.js';
import { CloudRateLimiter } from './rate-limiter.js';
import { type CloudRateLimiterPort } from './rate-limiter.port.js';
import { secretRedactor } from './redactor.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';

export interface EcsCloudAdapterOptions extends EcsClientOptions {
  /** Calls per minute per API, over DEFAULT_RATE_LIMITS (eni-config `rate_limit`); for the in-process limiter. */
  rateLimit?: Partial<Record<CloudApiName, number>>;
  /**
   * Where calls take their tokens, e.g. buckets shared by several processes. Defaults to an in-process
   * CloudRateLimiter built from `rateLimit` (which is then ignored when this is given).
   */
  limiter?: CloudRateLimiterPort;
  retry?: Partial<RetryPolicy>;
  polling?: Partial<EniPollPolicy>;
  observer?: CloudObserver;
  /** Injected in unit tests; defaults to real time. */
  clock?: CloudClock;
  /** Jitter source, 0..1; defaults to Math.random. */
  random?: () => number;
  /** ClientToken of mutating calls that do not take the caller's token; defaults to a random UUID. */
  newClientToken?: () => string;
}

/** Per call (ECS API reference): InstanceTypes.N, NetworkInterfaceId.N, and the 10-per-call IP batches. */
const INSTANCE_TYPES_PER_CALL = 10;
const ENI_IDS_PER_CALL = 100;
const ENIS_PER_PAGE = 500;
const IPS_PER_CALL = 10;

/**
 * The cloud port on the real @alicloud/ecs20140526 client, against Alibaba Cloud or ecs-sim. Every call goes
 * through a per-API token bucket and a bounded retry with backoff; mutating calls that accept a ClientToken
 * send the same one on every retry.
 */
export class EcsCloudAdapter implements CloudPort {
  private readonly client: EcsClient;
  private readonly runner: CloudCallRunner;
  private readonly attachments: EniAttachments;
  private readonly regionId: string;
  private readonly newClientToken: () => string;

  constructor(options: EcsCloudAdapterOptions) {
    const clock = options.clock ?? systemClock;
    this.regionId = options.regionId;
    this.client = createEcsClient(options);
    this.newClientToken = options.newClientToken ?? randomUUID;
    this.runner = new CloudCallRunner({
      limiter: options.limiter ?? new CloudRateLimiter(clock, options.rateLimit),
      policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      clock,
      random: options.random ?? Math.random,
      observer: options.observer ?? {},
      redact: secretRedactor([
        options.credentials.accessKeyId,
        options.credentials.accessKeySecret,
        options.credentials.securityToken,
      ]),
    });
    this.attachments = new EniAttachments({
      client: this.client,
      runner: this.runner,
      regionId: this.regionId,
      clock,
      policy: { ...DEFAULT_POLL_POLICY, ...options.polling },
      describeOne: (eniId) => this.describeOne(eniId),
    });
  }

  async describeInstanceTypes(instanceTypes: string[]): Promise<InstanceTypeLimits[]> {
    const found: InstanceTypeLimits[] = [];
    for (const batch of chunks([...new Set(instanceTypes)], INSTANCE_TYPES_PER_CALL)) {
      let nextToken: string | undefined;
      do {
        const request = new $Ecs.DescribeInstanceTypesRequest({ instanceTypes: batch, nextToken });
        const { body } = await this.runner.run('DescribeInstanceTypes', () =>
          this.client.describeInstanceTypes(request),
        );
        found.push(...(body?.instanceTypes?.instanceType ?? []).map(toInstanceTypeLimits));
        nextToken = body?.nextToken || undefined;
      } while (nextToken !== undefined);
    }
    return found;
  }

  async describeVSwitches(vswitchIds: string[]): Promise<CloudVSwitch[]> {
    const found: CloudVSwitch[] = [];
    for (const vSwitchId of new Set(vswitchIds)) {
      const request = new $Ecs.DescribeVSwitchesRequest({ regionId: this.regionId, vSwitchId });
      const { body } = await this.runner.run('DescribeVSwitches', () => this.client.describeVSwitches(request));
      found.push(...(body?.vSwitches?.vSwitch ?? []).map(toCloudVSwitch));
    }
    return found;
  }

  async createNetworkInterface(input: CreateEniInput): Promise<CloudEni> {
    const request = new $Ecs.CreateNetworkInterfaceRequest({
      regionId: this.regionId,
      vSwitchId: input.vswitchId,
      securityGroupIds: input.securityGroupIds,
      clientToken: input.clientToken,
      description: input.description,
      instanceType: input.trunk ? 'Trunk' : undefined,
      tag: Object.entries(input.tags).map(([key, value]) => new $Ecs.CreateNetworkInterfaceRequestTag({ key, value })),
    });
    const { body } = await this.runner.run('CreateNetworkInterface', () => this.client.createNetworkInterface(request));
    const eni = toCloudEni(body ?? {});
    return { ...eni, tags: Object.keys(eni.tags).length > 0 ? eni.tags : { ...input.tags } };
  }

  attachNetworkInterface(eniId: string, instanceId: string, options?: AttachEniOptions): Promise<CloudEni> {
    return this.attachments.attach(eniId, instanceId, options);
  }

  detachNetworkInterface(eniId: string, instanceId: string, options?: AttachEniOptions): Promise<void> {
    return this.attachments.detach(eniId, instanceId, options);
  }

  /** Deleting an ENI that no longer exists succeeds: the outcome the caller wanted is there. */
  async deleteNetworkInterface(eniId: string): Promise<void> {
    const request = new $Ecs.DeleteNetworkInterfaceRequest({ regionId: this.regionId, networkInterfaceId: eniId });
    try {
      await this.runner.run('DeleteNetworkInterface', () => this.client.deleteNetworkInterface(request));
    } catch (error) {
      if (!(error instanceof CloudError && error.code === 'InvalidEniId.NotFound')) {
        throw error;
      }
    }
  }

  async describeNetworkInterfaces(filter: DescribeEnisFilter): Promise<CloudEni[]> {
    if (filter.eniIds !== undefined && filter.eniIds.length === 0) {
      return [];
    }
    const idBatches = filter.eniIds ? chunks([...new Set(filter.eniIds)], ENI_IDS_PER_CALL) : [undefined];
    const found: CloudEni[] = [];
    for (const ids of idBatches) {
      found.push(...(await this.describePages(filter, ids)));
    }
    return found;
  }

  async assignPrivateIpAddresses(eniId: string, count: number): Promise<string[]> {
    if (!Number.isInteger(count) || count < 1 || count > IPS_PER_CALL) {
      throw new CloudError('AssignPrivateIpAddresses', 'InvalidParameter', 'invalid', `count ${count} is not 1..10`);
    }
    const request = new $Ecs.AssignPrivateIpAddressesRequest({
      regionId: this.regionId,
      networkInterfaceId: eniId,
      secondaryPrivateIpAddressCount: count,
      clientToken: this.newClientToken(),
    });
    const { body } = await this.runner.run('AssignPrivateIpAddresses', () =>
      this.client.assignPrivateIpAddresses(request),
    );
    return body?.assignedPrivateIpAddressesSet?.privateIpSet?.privateIpAddress ?? [];
  }

  async unassignPrivateIpAddresses(eniId: string, ips: string[]): Promise<void> {
    for (const batch of chunks([...new Set(ips)], IPS_PER_CALL)) {
      try {
        await this.unassign(eniId, batch);
      } catch (error) {
        // A retry of a call that did go through finds the addresses gone; only what is still there matters.
        if (!(error instanceof CloudError && error.code === 'InvalidIp.IpUnassigned')) {
          throw error;
        }
        const held = (await this.describeOne(eniId))?.privateIps ?? [];
        const remaining = batch.filter((ip) => held.includes(ip));
        if (remaining.length > 0) {
          await this.unassign(eniId, remaining);
        }
      }
    }
  }

  private async unassign(eniId: string, ips: string[]): Promise<void> {
    const request = new $Ecs.UnassignPrivateIpAddressesRequest({
      regionId: this.regionId,
      networkInterfaceId: eniId,
      privateIpAddress: ips,
    });
    await this.runner.run('UnassignPrivateIpAddresses', () => this.client.unassignPrivateIpAddresses(request));
  }

  private async describePages(filter: DescribeEnisFilter, eniIds: string[] | undefined): Promise<CloudEni[]> {
    const found: CloudEni[] = [];
    let nextToken: string | undefined;
    do {
      const request = new $Ecs.DescribeNetworkInterfacesRequest({
        regionId: this.regionId,
        networkInterfaceId: eniIds,
        instanceId: filter.instanceId,
        vSwitchId: filter.vswitchId,
        status: filter.status,
        tag: Object.entries(filter.tags ?? {}).map(
          ([key, value]) => new $Ecs.DescribeNetworkInterfacesRequestTag({ key, value }),
        ),
        maxResults: ENIS_PER_PAGE,
        nextToken,
      });
      const { body } = await this.runner.run('DescribeNetworkInterfaces', () =>
        this.client.describeNetworkInterfaces(request),
      );
      found.push(...(body?.networkInterfaceSets?.networkInterfaceSet ?? []).map(toCloudEni));
      nextToken = body?.nextToken || undefined;
    } while (nextToken !== undefined);
    return found;
  }

  private async describeOne(eniId: string): Promise<CloudEni | null> {
    const [eni] = await this.describeNetworkInterfaces({ eniIds: [eniId] });
    return eni ?? null;
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}
