import { randomUUID } from 'node:crypto';
import { CloudError, type CloudEni, type CloudPort } from '@ipledger/cloud';
import type { EniConfig } from '@ipledger/config';
import type { NodeState, PendingEniCreation } from '@ipledger/domain';
import type { NodeStateCache } from '../node-state/node-state.cache.js';
import { PoolStepError, reasonOfCloudError } from './pool-failure.js';
import type { VSwitchCatalog } from './vswitch-catalog.js';

export const TAG_CLUSTER = 'ipledger.io/cluster';
export const TAG_CREATOR = 'ipledger.io/creator';
export const TAG_NODE = 'ipledger.io/node';
export const CREATOR = 'ipledger-allocator';

const now = () => new Date().toISOString();

/** Whether a failed ENI creation should be tried again on another vSwitch at once. */
export type CreateOutcome = 'created' | 'vswitch-blocked';

/**
 * The cloud side of a node's pool, one step at a time. Each step records what it is about to ask (a
 * "requested" event: the client token, the ENI to attach, the addresses to give back) before calling the
 * cloud, and what the cloud answered after; so a restart resumes from the ledger, and a creation is retried
 * with the same client token however often it is interrupted. A failed call is recorded as CloudCallFailed
 * (or EniCreateFailed) and surfaces as a PoolStepError whose reason waiters can report.
 */
export class EniSaga {
  constructor(
    private readonly cache: NodeStateCache,
    private readonly cloud: CloudPort,
    private readonly vswitches: VSwitchCatalog,
    private readonly config: () => EniConfig,
  ) {}

  /** Mints the client token and picks the vSwitch; nothing is asked of the cloud yet. */
  async requestEni(node: string, zone: string): Promise<PendingEniCreation> {
    const choice = await this.vswitches
      .choose(zone, new Date())
      .catch((error: unknown) => this.recordFailure(node, 'DescribeVSwitches', error, {}));
    if (!choice.vswitch) {
      throw new PoolStepError('vswitch-exhausted', `no usable vSwitch in zone ${zone} (${choice.reason})`);
    }
    const { id, cidr, gateway } = choice.vswitch;
    const pending: PendingEniCreation = {
      clientToken: randomUUID(),
      vswitch: { id, zone, cidr, gateway },
      securityGroupIds: [...this.config().securityGroupIds],
      requestedAt: now(),
    };
    const { clientToken, vswitch, securityGroupIds } = pending;
    await this.cache.execute(node, () => ({
      type: 'RequestEniCreate',
      clientToken,
      vswitch,
      securityGroupIds,
      now: now(),
    }));
    return pending;
  }

  /** CreateNetworkInterface with the request's token, then attach until the ENI is in use. */
  async createEni(node: string, pending: PendingEniCreation): Promise<CreateOutcome> {
    let eni: CloudEni;
    try {
      eni = await this.cloud.createNetworkInterface({
        vswitchId: pending.vswitch.id,
        securityGroupIds: pending.securityGroupIds,
        clientToken: pending.clientToken,
        tags: this.tags(node),
        description: `ipledger pod ENI of ${node}`,
      });
    } catch (error) {
      return this.createFailed(node, pending, error);
    }
    const { id: eniId, mac, primaryIp, securityGroupIds } = eni;
    await this.cache.execute(node, () => ({
      ...{ type: 'RecordEniCreated' as const, clientToken: pending.clientToken, eniId, mac, vswitch: pending.vswitch },
      ...{ primaryIp, securityGroupIds, trunk: eni.type === 'Trunk', now: now() },
    }));
    this.vswitches.invalidate(pending.vswitch.id);
    await this.attachEni(node, eniId);
    return 'created';
  }

  /**
   * RequestEniAttach, then attach until in use. `checkFirst` (resuming after a crash or a failed attempt):
   * the attachment may have happened while nobody watched, so ask the cloud before attaching again.
   */
  async attachEni(node: string, eniId: string, checkFirst = false): Promise<void> {
    const { state } = await this.cache.execute(node, () => ({ type: 'RequestEniAttach', eniId, now: now() }));
    if (state.enis[eniId]?.status !== 'attaching') {
      return;
    }
    if (checkFirst && (await this.alreadyAttached(node, state, eniId))) {
      return;
    }
    await this.attach(node, state, eniId);
  }

  private async alreadyAttached(node: string, state: NodeState, eniId: string): Promise<boolean> {
    const [seen] = await this.call(node, 'DescribeNetworkInterfaces', { eniId }, () =>
      this.cloud.describeNetworkInterfaces({ eniIds: [eniId] }),
    );
    if (seen?.status === 'InUse' && seen.instanceId === state.info?.instanceId) {
      await this.recordAttached(node, seen);
      return true;
    }
    return false;
  }

  async assignIps(node: string, eniId: string, count: number): Promise<void> {
    const ips = await this.call(node, 'AssignPrivateIpAddresses', { eniId }, () =>
      this.cloud.assignPrivateIpAddresses(eniId, count),
    );
    await this.cache.execute(node, () => ({ type: 'RecordIpsAssigned', eniId, ips, now: now() }));
  }

  /** Records the intent (the addresses stop being allocatable), then gives them back. */
  async unassignIps(node: string, eniId: string, ips: string[]): Promise<void> {
    const { state } = await this.cache.execute(node, () => ({ type: 'RequestIpsUnassign', eniId, ips, now: now() }));
    await this.finishUnassign(
      node,
      eniId,
      ips.filter((ip) => state.ips.get(ip)?.status === 'unassigning'),
    );
  }

  async finishUnassign(node: string, eniId: string, ips: string[]): Promise<void> {
    if (ips.length === 0) {
      return;
    }
    await this.call(node, 'UnassignPrivateIpAddresses', { eniId }, () =>
      this.cloud.unassignPrivateIpAddresses(eniId, ips).catch(ignoreNotFound),
    );
    await this.cache.execute(node, () => ({ type: 'RecordIpsUnassigned', eniId, ips, now: now() }));
  }

  /** Detach (when attached) and delete; each half is recorded, so a restart picks up where it stopped. */
  async removeEni(node: string, eniId: string): Promise<void> {
    let { state } = await this.cache.get(node);
    const status = state.enis[eniId]?.status;
    if (status === 'in-use' || status === 'attaching') {
      ({ state } = await this.cache.execute(node, () => ({ type: 'RequestEniDetach', eniId, now: now() })));
    }
    if (state.enis[eniId]?.status === 'detaching') {
      const instanceId = state.info?.instanceId ?? '';
      await this.call(node, 'DetachNetworkInterface', { eniId }, () =>
        this.cloud.detachNetworkInterface(eniId, instanceId).catch(ignoreNotFound),
      );
      ({ state } = await this.cache.execute(node, () => ({ type: 'RecordEniDetached', eniId, now: now() })));
    }
    const after = state.enis[eniId]?.status;
    if (after === 'detached' || after === 'available') {
      await this.call(node, 'DeleteNetworkInterface', { eniId }, () =>
        this.cloud.deleteNetworkInterface(eniId).catch(ignoreNotFound),
      );
      await this.cache.execute(node, () => ({ type: 'RecordEniDeleted', eniId, now: now() }));
    }
  }

  private async attach(node: string, state: NodeState, eniId: string): Promise<void> {
    const instanceId = state.info?.instanceId ?? '';
    const eni = await this.call(node, 'AttachNetworkInterface', { eniId }, () =>
      this.cloud.attachNetworkInterface(eniId, instanceId),
    );
    await this.recordAttached(node, eni);
  }

  private async recordAttached(node: string, eni: CloudEni): Promise<void> {
    const { id: eniId, mac } = eni;
    const deviceIndex = eni.deviceIndex ?? 0;
    await this.cache.execute(node, () => ({ type: 'RecordEniAttached', eniId, mac, deviceIndex, now: now() }));
  }

  private async createFailed(node: string, pending: PendingEniCreation, error: unknown): Promise<CreateOutcome> {
    if (!(error instanceof CloudError) || error.retryable) {
      // Still pending: the next try reuses the same client token.
      return this.recordFailure(node, 'CreateNetworkInterface', error, { vswitchId: pending.vswitch.id });
    }
    const { clientToken, vswitch } = pending;
    const { code, message } = error;
    await this.cache.execute(node, () => ({
      ...{ type: 'RecordEniCreateFailed' as const, clientToken, vswitchId: vswitch.id, code, message, now: now() },
    }));
    if (error.kind === 'vswitch-exhausted') {
      await this.vswitches.block(vswitch.id, vswitch.zone, error.code, new Date());
      return 'vswitch-blocked';
    }
    throw new PoolStepError(reasonOfCloudError(error), error.message);
  }

  /** Runs one cloud call; a failure is recorded on the node's stream and rethrown as a PoolStepError. */
  private async call<T>(
    node: string,
    api: string,
    refs: { eniId?: string; vswitchId?: string },
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      return this.recordFailure(node, api, error, refs);
    }
  }

  private async recordFailure(
    node: string,
    api: string,
    error: unknown,
    refs: { eniId?: string; vswitchId?: string },
  ): Promise<never> {
    if (!(error instanceof CloudError)) {
      throw error;
    }
    const { code, message, retryable, requestId } = error;
    await this.cache.execute(node, () => ({
      ...{ type: 'RecordCloudCallFailed' as const, api: error.api || api, code, message, retryable, requestId },
      ...{ eniId: refs.eniId ?? null, vswitchId: refs.vswitchId ?? null, now: now() },
    }));
    throw new PoolStepError(reasonOfCloudError(error), error.message);
  }

  private tags(node: string): Record<string, string> {
    const config = this.config();
    return { ...config.eniTags, [TAG_CLUSTER]: config.clusterId, [TAG_CREATOR]: CREATOR, [TAG_NODE]: node };
  }
}

/** Giving back what is already gone is done. */
function ignoreNotFound(error: unknown): void {
  if (error instanceof CloudError && error.kind === 'not-found') {
    return;
  }
  throw error;
}
