// Reads Terway's `eni_conf` JSON (plus ipledger's own keys) into a typed EniConfig. Pure: no I/O, no clock.
// Every problem is reported at once, each naming its key: `eni-config: <key>: <what is wrong>`.
import {
  CLOUD_APIS,
  type CloudApi,
  DEFAULT_RATE_LIMITS,
  ENI_CONFIG_DEFAULTS,
  type EniConfig,
  type LoadedEniConfig,
} from './eni-config.js';
import { canonicalEniConfig } from './eni-config.canonical.js';
import { ConfigError, ProblemList } from './config-error.js';
import { describe, isPlainObject } from './json-values.js';
import { parseDuration } from './duration.js';
import { checkServiceCidr, checkEniTags, checkSecurityGroups, checkVSwitches } from './eni-config.checks.js';

const KNOWN_KEYS = new Set([
  'max_pool_size',
  'min_pool_size',
  'vswitches',
  'vswitch_selection_policy',
  'security_group',
  'security_groups',
  'service_cidr',
  'eni_tags',
  'ip_stack',
  'enable_eni_trunking',
  'rate_limit',
  'idle_ip_reclaim_after',
  'idle_ip_reclaim_interval',
  'idle_ip_reclaim_batch_size',
  'idle_ip_reclaim_jitter_factor',
  'ip_cooldown',
  'vswitch_block_duration',
  'cluster_id',
]);

// Terway keys that only tune Terway's own machinery (its CRD sync, its kube client, its config versioning):
// a Terway config copied as it is still starts, and the allocator warns that they have no effect.
const TERWAY_IGNORED_KEYS = new Set([
  'version',
  'ipam_type',
  'ip_pool_sync_period',
  'backoff_override',
  'kube_client_qps',
  'kube_client_burst',
  'vswitch_selection_ttl',
  'disable_security_group_check',
  'custom_stateful_workload_kinds',
]);
// Terway keys whose silent absence would change what pods get or which ENIs are touched (prefix mode,
// ERDMA, ENI caps, warm-up, tag filters): refused by name, so nobody runs a cluster believing they apply.
const TERWAY_UNSUPPORTED_KEYS = new Set([
  'ip_warm_up_size',
  'min_eni',
  'max_eni',
  'eni_cap_ratio',
  'eni_cap_shift',
  'eni_selection_policy',
  'resource_group_id',
  'eni_tag_filter',
  'eni_tag_block_list',
  'enable_erdma',
  'enable_ip_prefix',
  'ipv4_prefix_count',
  'ipv6_prefix_count',
  'enable_eip_pool',
]);
const CREDENTIAL_KEYS = new Set(['access_key', 'access_secret', 'credential_path']);

/** Parses eni-config JSON text; throws ConfigError listing every problem. */
export function parseEniConfig(text: string): LoadedEniConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`eni-config: not valid JSON: ${(error as Error).message}`]);
  }
  return eniConfigFromObject(raw);
}

/** Validates an already-decoded eni-config (e.g. the `config` of a recorded ConfigApplied event). */
export function eniConfigFromObject(raw: unknown): LoadedEniConfig {
  const problems = new ProblemList('eni-config: ');
  if (!isPlainObject(raw)) {
    throw new ConfigError(['eni-config: must be a JSON object of eni_conf keys']);
  }
  const warnings = checkKeys(raw, problems);
  const config = readConfig(new FieldReader(raw, problems));
  problems.throwIfAny();
  return { ...canonicalEniConfig(config), warnings };
}

/** Reports unknown and unsupported keys as problems; returns warnings for keys that are merely ignored. */
function checkKeys(doc: Record<string, unknown>, problems: ProblemList): string[] {
  const warnings: string[] = [];
  for (const key of Object.keys(doc)) {
    if (KNOWN_KEYS.has(key)) {
      continue;
    }
    if (key === 'eni_conf') {
      problems.add(key, 'this is the ConfigMap entry: pass its value (the eni_conf JSON), not the ConfigMap data');
    } else if (CREDENTIAL_KEYS.has(key)) {
      problems.add(key, 'credentials are not read from eni-config; set ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET');
    } else if (TERWAY_IGNORED_KEYS.has(key)) {
      warnings.push(`eni-config: ${key}: a Terway key that has no effect in ipledger; ignored`);
    } else if (TERWAY_UNSUPPORTED_KEYS.has(key)) {
      problems.add(key, 'a Terway key that ipledger does not support; remove it');
    } else {
      problems.add(key, 'unknown key');
    }
  }
  return warnings;
}

function readConfig(r: FieldReader): EniConfig {
  const maxPoolSize = r.integer('max_pool_size', ENI_CONFIG_DEFAULTS.maxPoolSize, 0);
  const minPoolSize = r.integer('min_pool_size', ENI_CONFIG_DEFAULTS.minPoolSize, 0);
  if (minPoolSize > maxPoolSize) {
    r.problems.addSentence(`min_pool_size (${minPoolSize}) must not exceed max_pool_size (${maxPoolSize})`);
  }
  return {
    maxPoolSize,
    minPoolSize,
    vswitches: checkVSwitches(r.doc.vswitches, r.problems),
    vswitchSelectionPolicy: r.oneOf('vswitch_selection_policy', ['ordered', 'random'] as const, 'random'),
    securityGroupIds: checkSecurityGroups(r.doc.security_group, r.doc.security_groups, r.problems),
    serviceCidr: checkServiceCidr(r.doc.service_cidr, r.problems),
    eniTags: checkEniTags(r.doc.eni_tags, r.problems),
    ipStack: readIpStack(r),
    enableEniTrunking: r.boolean('enable_eni_trunking', ENI_CONFIG_DEFAULTS.enableEniTrunking),
    rateLimits: readRateLimits(r),
    idleIpReclaim: {
      afterMs: r.optionalDuration('idle_ip_reclaim_after', { positive: true }),
      intervalMs: r.duration('idle_ip_reclaim_interval', ENI_CONFIG_DEFAULTS.idleIpReclaimIntervalMs, true),
      // Terway's range: a step gives back at most one UnassignPrivateIpAddresses call's worth.
      batchSize: r.integer('idle_ip_reclaim_batch_size', ENI_CONFIG_DEFAULTS.idleIpReclaimBatchSize, 1, 10),
      jitterFactor: r.fraction('idle_ip_reclaim_jitter_factor', ENI_CONFIG_DEFAULTS.idleIpReclaimJitterFactor),
    },
    ipCooldownMs: r.duration('ip_cooldown', ENI_CONFIG_DEFAULTS.ipCooldownMs, false),
    vswitchBlockMs: r.duration('vswitch_block_duration', ENI_CONFIG_DEFAULTS.vswitchBlockMs, true),
    clusterId: readClusterId(r),
  };
}

function readIpStack(r: FieldReader): 'ipv4' {
  const value = r.doc.ip_stack;
  if (value === undefined || value === 'ipv4') {
    return 'ipv4';
  }
  if (value === 'dual' || value === 'ipv6') {
    r.problems.add('ip_stack', `"${value}" is not supported yet: ipledger allocates IPv4 addresses only (use "ipv4")`);
  } else {
    r.problems.add('ip_stack', `${describe(value)} is not one of "ipv4", "dual", "ipv6" (only "ipv4" is supported)`);
  }
  return 'ipv4';
}

function readRateLimits(r: FieldReader): Record<CloudApi, number> {
  const limits: Record<CloudApi, number> = { ...DEFAULT_RATE_LIMITS };
  const value = r.doc.rate_limit;
  if (value === undefined) {
    return limits;
  }
  if (!isPlainObject(value)) {
    r.problems.add('rate_limit', 'must be an object of cloud API name → calls per minute');
    return limits;
  }
  for (const [api, perMinute] of Object.entries(value)) {
    if (!(CLOUD_APIS as readonly string[]).includes(api)) {
      r.problems.add(`rate_limit.${api}`, `not a cloud API ipledger calls (one of ${CLOUD_APIS.join(', ')})`);
    } else if (typeof perMinute !== 'number' || !Number.isInteger(perMinute) || perMinute < 1) {
      r.problems.add(`rate_limit.${api}`, `${describe(perMinute)} is not a positive integer (calls per minute)`);
    } else {
      limits[api as CloudApi] = perMinute;
    }
  }
  return limits;
}

const CLUSTER_ID = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

function readClusterId(r: FieldReader): string {
  const value = r.doc.cluster_id;
  if (value === undefined || value === '') {
    r.problems.add('cluster_id', "required: it tags this cluster's ENIs so that the leak sweeper spares others'");
    return '';
  }
  if (typeof value !== 'string' || !CLUSTER_ID.test(value)) {
    r.problems.add('cluster_id', `${describe(value)} must be 1-63 letters, digits, ".", "_" or "-"`);
    return '';
  }
  return value;
}

/** Typed access to the scalar keys, recording a problem (and returning the default) on a bad value. */
class FieldReader {
  constructor(
    readonly doc: Record<string, unknown>,
    readonly problems: ProblemList,
  ) {}

  /** An integer ≥ min, and ≤ max when one is given. */
  integer(key: string, fallback: number, min: number, max?: number): number {
    const value = this.doc[key];
    if (value === undefined) {
      return fallback;
    }
    const inRange = typeof value === 'number' && value >= min && (max === undefined || value <= max);
    if (typeof value !== 'number' || !Number.isInteger(value) || !inRange) {
      const range = max === undefined ? `≥ ${min}` : `from ${min} to ${max}`;
      this.problems.add(key, `${describe(value)} is not an integer ${range}`);
      return fallback;
    }
    return value;
  }

  fraction(key: string, fallback: number): number {
    const value = this.doc[key];
    if (value === undefined) {
      return fallback;
    }
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      this.problems.add(key, `${describe(value)} is not a number between 0 and 1`);
      return fallback;
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.doc[key];
    if (value === undefined) {
      return fallback;
    }
    if (typeof value !== 'boolean') {
      this.problems.add(key, `${describe(value)} is not true or false`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.doc[key];
    if (value === undefined) {
      return fallback;
    }
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.problems.add(key, `${describe(value)} is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
      return fallback;
    }
    return value as T;
  }

  duration(key: string, fallback: number, positive: boolean): number {
    return this.optionalDuration(key, { positive }) ?? fallback;
  }

  optionalDuration(key: string, { positive }: { positive: boolean }): number | null {
    const value = this.doc[key];
    if (value === undefined || value === null) {
      return null;
    }
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined) {
      this.problems.add(key, `${describe(value)} is not a duration (e.g. "30s", "5m", "1h30m")`);
      return null;
    }
    if (positive && ms <= 0) {
      this.problems.add(key, `must be longer than 0s`);
      return null;
    }
    return ms;
  }
}
