// The canonical form of an eni-config: what the ledger records in ConfigApplied and what its hash covers.
// Every default is filled in and every duration spelled the Go way, so two files that mean the same
// configuration ("90s" or "1m30s", a default written out or left out) hash the same.
import { createHash } from 'node:crypto';
import { formatDuration } from './duration.js';
import { type EniConfig, type LoadedEniConfig } from './eni-config.js';

export function canonicalEniConfig(config: EniConfig): Omit<LoadedEniConfig, 'warnings'> {
  const canonical = sortKeys({
    cluster_id: config.clusterId,
    enable_eni_trunking: config.enableEniTrunking,
    eni_tags: config.eniTags,
    idle_ip_reclaim_after: config.idleIpReclaim.afterMs === null ? null : formatDuration(config.idleIpReclaim.afterMs),
    idle_ip_reclaim_batch_size: config.idleIpReclaim.batchSize,
    idle_ip_reclaim_interval: formatDuration(config.idleIpReclaim.intervalMs),
    idle_ip_reclaim_jitter_factor: config.idleIpReclaim.jitterFactor,
    ip_cooldown: formatDuration(config.ipCooldownMs),
    ip_stack: config.ipStack,
    max_pool_size: config.maxPoolSize,
    min_pool_size: config.minPoolSize,
    rate_limit: config.rateLimits,
    security_groups: config.securityGroupIds,
    service_cidr: config.serviceCidr,
    vswitch_block_duration: formatDuration(config.vswitchBlockMs),
    vswitch_selection_policy: config.vswitchSelectionPolicy,
    vswitches: config.vswitches,
  }) as Record<string, unknown>;
  const canonicalJson = JSON.stringify(canonical);
  const sha256 = createHash('sha256').update(canonicalJson).digest('hex');
  return { config, canonical, canonicalJson, sha256 };
}

/** Object keys in code-point order at every depth; array order is kept (it can carry meaning). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, sortKeys(item)]));
  }
  return value;
}
