import * as $Ecs from '@alicloud/ecs20140526';
import { type CloudCallRunner } from './cloud-call-runner.js';
import { type CloudClock } from './cloud-clock.js';
import { type AttachEniOptions, type CloudEni, CloudError } from './cloud.port.js';
import { type EcsClient } from './ecs-client.factory.js';

export interface EniPollPolicy {
  /** First status check after the call; ecs-sim attaches in ~50 ms, ECS in seconds. */
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
  attachTimeoutMs: number;
  detachTimeoutMs: number;
}

export const DEFAULT_POLL_POLICY: EniPollPolicy = {
  initialDelayMs: 60,
  factor: 1.5,
  maxDelayMs: 2_000,
  attachTimeoutMs: 120_000,
  detachTimeoutMs: 120_000,
};

export interface EniAttachmentsDeps {
  client: EcsClient;
  runner: CloudCallRunner;
  regionId: string;
  clock: CloudClock;
  policy: EniPollPolicy;
  describeOne: (eniId: string) => Promise<CloudEni | null>;
}

const INVALID_ENI_STATE = 'InvalidOperation.InvalidEniState';

/**
 * AttachNetworkInterface and DetachNetworkInterface only start the change; these wait, polling
 * DescribeNetworkInterfaces with a growing interval, until the ENI is InUse (Available again). Neither API
 * takes a ClientToken, so a retry that finds the change already under way counts as success.
 */
export class EniAttachments {
  constructor(private readonly deps: EniAttachmentsDeps) {}

  async attach(eniId: string, instanceId: string, options: AttachEniOptions = {}): Promise<CloudEni> {
    const { client, regionId } = this.deps;
    const request = new $Ecs.AttachNetworkInterfaceRequest({
      regionId,
      networkInterfaceId: eniId,
      instanceId,
      trunkNetworkInstanceId: options.trunkEniId,
    });
    try {
      await this.deps.runner.run('AttachNetworkInterface', () => client.attachNetworkInterface(request));
    } catch (error) {
      const eni = await this.alreadyUnderWay(error, eniId);
      if (eni?.instanceId !== instanceId || (eni.status !== 'Attaching' && eni.status !== 'InUse')) {
        throw error;
      }
    }
    return this.waitFor(eniId, 'AttachNetworkInterface', this.deps.policy.attachTimeoutMs, (eni) => {
      if (eni.status === 'InUse' && eni.instanceId === instanceId) {
        return true;
      }
      if (eni.status === 'Available') {
        throw new CloudError(
          'AttachNetworkInterface',
          'EniAttachFailed',
          'internal',
          `${eniId} fell back to Available`,
        );
      }
      return false;
    });
  }

  async detach(eniId: string, instanceId: string, options: AttachEniOptions = {}): Promise<void> {
    const { client, regionId } = this.deps;
    const request = new $Ecs.DetachNetworkInterfaceRequest({
      regionId,
      networkInterfaceId: eniId,
      instanceId,
      trunkNetworkInstanceId: options.trunkEniId,
    });
    try {
      await this.deps.runner.run('DetachNetworkInterface', () => client.detachNetworkInterface(request));
    } catch (error) {
      const eni = await this.alreadyUnderWay(error, eniId);
      if (eni?.status === 'Available') {
        return;
      }
      if (eni?.status !== 'Detaching') {
        throw error;
      }
    }
    await this.waitFor(
      eniId,
      'DetachNetworkInterface',
      this.deps.policy.detachTimeoutMs,
      (e) => e.status === 'Available',
    );
  }

  /** After an "invalid ENI state" answer, the ENI as it is now (null for any other error). */
  private async alreadyUnderWay(error: unknown, eniId: string): Promise<CloudEni | null> {
    if (!(error instanceof CloudError) || error.code !== INVALID_ENI_STATE) {
      throw error;
    }
    return this.deps.describeOne(eniId);
  }

  private async waitFor(
    eniId: string,
    api: 'AttachNetworkInterface' | 'DetachNetworkInterface',
    timeoutMs: number,
    done: (eni: CloudEni) => boolean,
  ): Promise<CloudEni> {
    const { clock, policy } = this.deps;
    const deadline = clock.now() + timeoutMs;
    let delay = policy.initialDelayMs;
    for (;;) {
      await clock.sleep(Math.max(0, Math.min(delay, deadline - clock.now())));
      const eni = await this.deps.describeOne(eniId);
      if (eni === null) {
        throw new CloudError(api, 'InvalidEniId.NotFound', 'not-found', `${eniId} no longer exists`);
      }
      if (done(eni)) {
        return eni;
      }
      if (clock.now() >= deadline) {
        throw new CloudError(api, 'WaitTimeout', 'internal', `${eniId} still ${eni.status} after ${timeoutMs} ms`);
      }
      delay = Math.min(policy.maxDelayMs, delay * policy.factor);
    }
  }
}
