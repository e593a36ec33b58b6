import { type AllocateIp, DomainError, type EndCooldowns, type NodeState, findAllocation } from '@ipledger/domain';
import type { EventMetadata } from '@ipledger/event-store';
import type { NodeStateCache } from '../node-state/node-state.cache.js';
import { diagnoseEmptyPool } from '../pool/pool-diagnosis.js';
import type { PoolMaintainer } from '../pool/pool-maintainer.js';
import type { PoolWaiters } from '../pool/pool-waiters.js';
import type { AllocateIpCommand, AllocationResult } from '../ports/index.js';
import { prefixLengthOf } from './prefix-length.js';

export interface AllocateIpOptions {
  /** How long a pod waits for the pool to grow before the call fails with the reason. Default 10 s. */
  waitMs: number;
  serviceCidr: () => string | null;
}

/**
 * AllocateIp: one append on the warm path. With no idle address the pod joins the node's waiters (which the
 * pool maintainer counts as demand), wakes the maintainer and waits until an address shows up or its deadline
 * passes; at max pods it fails at once.
 */
export class AllocateIpHandler {
  constructor(
    private readonly cache: NodeStateCache,
    private readonly waiters: PoolWaiters,
    private readonly maintainer: PoolMaintainer,
    private readonly options: AllocateIpOptions,
  ) {}

  /** `caller.signal` (the call's cancellation) is read only if the pod has to wait for an address. */
  async allocate(
    request: AllocateIpCommand,
    metadata: Partial<EventMetadata> = {},
    caller?: { readonly signal: AbortSignal },
  ): Promise<AllocationResult> {
    const started = Date.now();
    const deadline = started + this.options.waitMs;
    // Cooldowns that are over end in the same transaction (the sweeper would append them a moment later).
    const command = (): [EndCooldowns, AllocateIp] => {
      const now = new Date().toISOString();
      return [
        { type: 'EndCooldowns', now },
        {
          type: 'AllocateIp',
          pod: request.pod,
          containerId: request.containerId,
          owner: request.owner,
          idempotencyKey: request.idempotencyKey || `${request.pod.uid}/${request.containerId}`,
          now,
        },
      ];
    };
    let waiter: ReturnType<PoolWaiters['join']> | null = null;
    try {
      for (;;) {
        const epoch = this.waiters.epoch(request.node);
        try {
          const { state } = await this.cache.execute(request.node, command, metadata);
          return this.toResult(request, state);
        } catch (error) {
          if (!isPoolEmpty(error)) {
            throw error;
          }
        }
        waiter ??= this.waiters.join(request.node);
        this.maintainer.trigger(request.node);
        const signal = caller?.signal;
        if (!(await waiter.waitForChange(epoch, deadline, signal))) {
          throw signal?.aborted ? cancelled() : this.deadlineError(request.node, started);
        }
      }
    } finally {
      waiter?.leave();
    }
  }

  private toResult(request: AllocateIpCommand, state: NodeState): AllocationResult {
    const found = findAllocation(state, request.pod.uid, request.containerId);
    if (!found || !state.info) {
      throw new DomainError('unavailable', 'the allocation vanished while it was being made; retry', {
        reason: 'write-contention',
      });
    }
    const { eni } = found;
    return {
      pod: found.pod,
      node: state.info.node,
      ip: found.ip,
      ipv6: '',
      prefixLength: prefixLengthOf(eni.vswitch.cidr),
      gateway: eni.vswitch.gateway,
      vswitchId: eni.vswitch.id,
      vswitchCidr: eni.vswitch.cidr,
      eni: { id: eni.eniId, mac: eni.mac, trunk: eni.trunk, vlanId: 0 },
      mode: state.info.mode,
      serviceCidr: this.options.serviceCidr() ?? '',
      fixed: false,
      containerId: found.containerId,
      allocatedAt: found.at,
    };
  }

  private deadlineError(node: string, started: number): DomainError {
    const snapshot = this.cache.peek(node);
    if (!snapshot) {
      return new DomainError('unavailable', `no address for a pod on ${node} in time`, { reason: 'pool-filling' });
    }
    return diagnoseEmptyPool(node, snapshot.state, this.maintainer.lastFailure(node), started);
  }
}

const cancelled = () => new DomainError('unavailable', 'the caller went away', { reason: 'cancelled' });

const isPoolEmpty = (error: unknown): boolean =>
  error instanceof DomainError && error.code === 'resource-exhausted' && error.details.reason === 'no-idle-ip';
