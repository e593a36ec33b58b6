import { DomainError, type EndCooldowns, type ReleaseIp } from '@ipledger/domain';
import type { EventMetadata } from '@ipledger/event-store';
import type { NodeStateCache } from '../node-state/node-state.cache.js';
import type { ReleaseIpCommand, ReleaseResult } from '../ports/index.js';

const NOT_RELEASED: ReleaseResult = { released: false, ip: '', heldUntil: '' };

/**
 * ReleaseIp, called by the node after it tore the pod's network down: records the teardown and releases the
 * address into its cooldown. What the ledger does not hold (an unknown pod or node, a repeated DEL) is no
 * error, only `released: false`: CNI DEL must be idempotent.
 */
export class ReleaseIpHandler {
  constructor(
    private readonly cache: NodeStateCache,
    private readonly cooldownSeconds: () => number,
  ) {}

  async release(request: ReleaseIpCommand, metadata: Partial<EventMetadata> = {}): Promise<ReleaseResult> {
    try {
      const release = (): ReleaseIp => ({
        type: 'ReleaseIp',
        podUid: request.pod.uid,
        containerId: request.containerId,
        reason: request.reason || 'teardown',
        cooldownSeconds: this.cooldownSeconds(),
        now: new Date().toISOString(),
      });
      // Cooldowns that are over end in the same transaction (the sweeper would append them a moment later).
      const endCooldowns = (): EndCooldowns => ({ type: 'EndCooldowns', now: new Date().toISOString() });
      const { events } = await this.cache.execute(request.node, () => [endCooldowns(), release()], metadata);
      const released = events.find((e) => e.type === 'IpReleased');
      return released ? { released: true, ip: released.data.ip, heldUntil: released.data.cooldownUntil } : NOT_RELEASED;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'failed-precondition') {
        return NOT_RELEASED;
      }
      throw error;
    }
  }
}
