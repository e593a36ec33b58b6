import { type DomainError, type NodeState, isLiveEni, podEniSlots, podIpsPerEni } from '@ipledger/domain';
import { type PoolFailure, type PoolFailureReason, failureToDomainError } from './pool-failure.js';

/**
 * Why a pod waited in vain for an address on the node: this process's maintainer knows best when it ran the
 * node's last cycle; otherwise the ledger says (the last CloudCallFailed since the wait began, or ENIs and
 * addresses at the instance's limit); otherwise the pool is still filling and the caller should retry.
 */
export function diagnoseEmptyPool(
  node: string,
  state: NodeState,
  localFailure: PoolFailure | null,
  waitStartedMs: number,
): DomainError {
  if (localFailure) {
    return failureToDomainError(node, localFailure);
  }
  const recorded = state.lastCloudFailure;
  if (recorded && Date.parse(recorded.at) >= waitStartedMs) {
    const failure = { reason: reasonOfCode(recorded.code, recorded.retryable), message: recorded.message, at: 0 };
    return failureToDomainError(node, {
      ...failure,
      message: `${recorded.api}: ${recorded.code}: ${recorded.message}`,
    });
  }
  if (atEniLimit(state)) {
    const message = 'every ENI slot of the instance is used and every ENI holds all the addresses it may';
    return failureToDomainError(node, { reason: 'eni-limit', message, at: Date.now() });
  }
  const message = 'the warm pool is still being filled';
  return failureToDomainError(node, { reason: 'pool-filling', message, at: Date.now() });
}

function reasonOfCode(code: string, retryable: boolean): PoolFailureReason {
  if (/Throttling/i.test(code)) {
    return 'cloud-throttled';
  }
  if (/IpNotEnough|QuotaExceeded\.PrivateIpAddress/i.test(code)) {
    return 'vswitch-exhausted';
  }
  if (/LimitExceeded|QuotaExceed/i.test(code)) {
    return 'eni-limit';
  }
  return retryable ? 'cloud-unavailable' : 'cloud-rejected';
}

function atEniLimit(state: NodeState): boolean {
  const info = state.info;
  if (!info) {
    return false;
  }
  const live = Object.values(state.enis).filter(isLiveEni);
  if (live.length + Object.keys(state.pendingEnis).length < podEniSlots(info.mode, info.limits)) {
    return false;
  }
  const perEni = podIpsPerEni(info.mode, info.limits);
  const held = new Map<string, number>();
  for (const ip of state.ips.values()) {
    held.set(ip.eniId, (held.get(ip.eniId) ?? 0) + 1);
  }
  return live.every((eni) => (held.get(eni.eniId) ?? 0) >= perEni);
}
