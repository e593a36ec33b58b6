// When a node's next idle-IP reclaim step is due. Every replica keeps one timer per node; stretching or
// shrinking each wait at random keeps the nodes of a cluster (and the replicas) from all giving addresses
// back, and all calling UnassignPrivateIpAddresses, in the same instant.
import type { IdleIpReclaimConfig } from '@ipledger/domain';

/**
 * `intervalSeconds` stretched or shrunk by up to ± `jitterFactor` of itself; `random` is uniform in [0, 1).
 * Never negative (a jitter factor of 1 may shrink a wait to nothing).
 */
export function reclaimDelayMs(
  reclaim: Pick<IdleIpReclaimConfig, 'intervalSeconds' | 'jitterFactor'>,
  random: () => number = Math.random,
): number {
  const intervalMs = reclaim.intervalSeconds * 1000;
  const spread = reclaim.jitterFactor * (2 * random() - 1);
  return Math.max(0, intervalMs * (1 + spread));
}
