import { Logger } from '@nestjs/common';
import type { CloudPort } from '@ipledger/cloud';
import {
  MAX_IPS_PER_CALL,
  type NodeState,
  type PoolAction,
  type PoolConfig,
  planIdleReclaim,
  planPool,
} from '@ipledger/domain';
import type { NodeStateCache } from '../node-state/node-state.cache.js';
import type { EniSaga } from './eni-saga.js';
import type { PoolWaiters } from './pool-waiters.js';

export interface PoolCycleOptions {
  /** Plan/execute rounds per cycle at most (a guard against a plan that never settles). Default 50. */
  maxRounds?: number;
}

export interface PoolCycleRun {
  /**
   * The maintainer's reclaim timer is due: once the pool has settled, take one idle-IP reclaim step (at most
   * one batch) if the domain says the node has been quiet long enough.
   */
  reclaim?: boolean;
}

/**
 * One maintenance cycle of one node, run while holding the node's pool lock: first finish whatever the
 * ledger says is under way (a restart resumes here), then plan with the domain's planner and execute, and
 * plan again with what the calls changed, until the planner asks for nothing. The calls of one round run
 * concurrently across ENIs and in order on one ENI.
 */
export class PoolCycle {
  private readonly log = new Logger(PoolCycle.name);
  private readonly reconciled = new Set<string>();

  constructor(
    private readonly cache: NodeStateCache,
    private readonly saga: EniSaga,
    private readonly cloud: CloudPort,
    private readonly waiters: PoolWaiters,
    private readonly poolConfig: () => PoolConfig,
    private readonly options: PoolCycleOptions = {},
  ) {}

  async run(node: string, run: PoolCycleRun = {}): Promise<void> {
    try {
      await this.runRounds(node, run.reclaim ?? false);
    } catch (error) {
      // A failed call may still have changed the cloud (an answer lost after the change): look again first
      // next time.
      this.reconciled.delete(node);
      throw error;
    }
  }

  private async runRounds(node: string, reclaim: boolean): Promise<void> {
    let reclaimStep = reclaim;
    const { state } = await this.cache.refresh(node);
    if (!state.info) {
      return;
    }
    if (!this.reconciled.has(node)) {
      await this.adoptUntrackedIps(node, state);
      this.reconciled.add(node);
    }
    for (let round = 0; round < (this.options.maxRounds ?? 50); round++) {
      const current = (await this.cache.get(node)).state;
      const resumed = this.resumeSteps(node, current);
      if (resumed.length > 0) {
        await settle(resumed);
        continue;
      }
      const demand = { waitingPods: this.waiters.count(node), now: new Date().toISOString() };
      const config = this.poolConfig();
      let actions = planPool(current, config, demand);
      if (actions.length === 0 && reclaimStep) {
        // One batch per due timer, and only once the watermarks are met: planning again after the batch
        // must not reclaim the next one at once.
        reclaimStep = false;
        actions = planIdleReclaim(current, config, demand);
        if (actions.length > 0) {
          this.log.log(`reclaiming idle addresses of ${node} after ${config.idleIpReclaim.afterSeconds}s quiet`);
        }
      }
      if (actions.length === 0) {
        return;
      }
      await settle(this.actionSteps(node, current, actions));
    }
    this.log.warn(`pool of ${node} still unsettled after ${this.options.maxRounds ?? 50} rounds`);
  }

  /** What the ledger has under way: creations, attachments, give-backs and removals a crash interrupted. */
  private resumeSteps(node: string, state: NodeState): Promise<unknown>[] {
    const steps: Promise<unknown>[] = Object.values(state.pendingEnis).map((p) => this.saga.createEni(node, p));
    for (const eni of Object.values(state.enis)) {
      switch (eni.status) {
        case 'available':
        case 'attaching':
          steps.push(this.saga.attachEni(node, eni.eniId, true));
          break;
        case 'detaching':
        case 'detached':
          steps.push(this.saga.removeEni(node, eni.eniId));
          break;
        case 'in-use':
          steps.push(...this.resumeUnassign(node, state, eni.eniId));
          break;
        case 'deleted':
          break;
      }
    }
    return steps;
  }

  private resumeUnassign(node: string, state: NodeState, eniId: string): Promise<unknown>[] {
    const ips = [...state.ips.values()]
      .filter((ip) => ip.eniId === eniId && ip.status === 'unassigning')
      .map((ip) => ip.ip);
    if (ips.length === 0) {
      return [];
    }
    return [inOrder(chunk(ips, MAX_IPS_PER_CALL).map((part) => () => this.saga.finishUnassign(node, eniId, part)))];
  }

  private actionSteps(node: string, state: NodeState, actions: PoolAction[]): Promise<unknown>[] {
    const zone = state.info?.zone ?? '';
    const perEni = new Map<string, (() => Promise<unknown>)[]>();
    const steps: Promise<unknown>[] = [];
    for (const action of actions) {
      switch (action.kind) {
        case 'create-eni':
          steps.push(this.saga.requestEni(node, zone).then((pending) => this.saga.createEni(node, pending)));
          break;
        case 'assign-ips':
          queue(perEni, action.eniId, () => this.saga.assignIps(node, action.eniId, action.count));
          break;
        case 'unassign-ips':
          queue(perEni, action.eniId, () => this.saga.unassignIps(node, action.eniId, action.ips));
          break;
        case 'delete-eni':
          queue(perEni, action.eniId, () => this.saga.removeEni(node, action.eniId));
          break;
      }
    }
    return [...steps, ...[...perEni.values()].map(inOrder)];
  }

  /**
   * AssignPrivateIpAddresses has no client token: a crash between the cloud's answer and the IpsAssigned
   * event leaves addresses on an ENI that the ledger does not know. Once per node and process, adopt them.
   */
  private async adoptUntrackedIps(node: string, state: NodeState): Promise<void> {
    const inUse = Object.values(state.enis).filter((e) => e.status === 'in-use');
    if (inUse.length === 0 || !state.info) {
      return;
    }
    try {
      const seen = await this.cloud.describeNetworkInterfaces({ instanceId: state.info.instanceId });
      for (const eni of inUse) {
        const cloudEni = seen.find((e) => e.id === eni.eniId);
        const untracked = (cloudEni?.privateIps ?? []).filter((ip) => ip !== eni.primaryIp && !state.ips.has(ip));
        if (untracked.length > 0) {
          this.log.warn(`adopting ${untracked.length} address(es) of ${eni.eniId} the ledger did not record`);
          const now = new Date().toISOString();
          await this.cache.execute(node, () => ({ type: 'RecordIpsAssigned', eniId: eni.eniId, ips: untracked, now }));
        }
      }
    } catch (error) {
      this.log.warn(`reconciling ${node} with the cloud failed: ${String(error)}`);
    }
  }
}

function queue(map: Map<string, (() => Promise<unknown>)[]>, key: string, step: () => Promise<unknown>): void {
  map.set(key, [...(map.get(key) ?? []), step]);
}

/** Steps on one ENI run one after another; the first failure stops the rest. */
async function inOrder(steps: (() => Promise<unknown>)[]): Promise<void> {
  for (const step of steps) {
    await step();
  }
}

/** Waits for every step (each records its own outcome), then reports the first failure. */
async function settle(steps: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(steps);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    throw failed.reason;
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    parts.push(items.slice(i, i + size));
  }
  return parts;
}
