import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { DEFAULT_RATE_LIMITS } from './eni-config.js';
import { eniConfigFromObject, parseEniConfig } from './eni-config.parser.js';

const minimal = {
  cluster_id: 'c-test',
  vswitches: { 'cn-hangzhou-i': ['vsw-a1'] },
  security_group: 'sg-1',
};

/** The problems a config is rejected with (fails the test if it is accepted). */
function problemsOf(overrides: Record<string, unknown>, base: Record<string, unknown> = minimal): readonly string[] {
  try {
    eniConfigFromObject({ ...base, ...overrides });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('the config was accepted');
}

describe('parseEniConfig: defaults', () => {
  it('fills in every default for a minimal config', () => {
    const { config } = parseEniConfig(JSON.stringify(minimal));
    expect(config).toEqual({
      maxPoolSize: 5,
      minPoolSize: 0,
      vswitches: { 'cn-hangzhou-i': ['vsw-a1'] },
      vswitchSelectionPolicy: 'random',
      securityGroupIds: ['sg-1'],
      serviceCidr: null,
      eniTags: {},
      ipStack: 'ipv4',
      enableEniTrunking: false,
      rateLimits: DEFAULT_RATE_LIMITS,
      idleIpReclaim: { afterMs: null, intervalMs: 600_000, batchSize: 5, jitterFactor: 0.1 },
      ipCooldownMs: 60_000,
      vswitchBlockMs: 600_000,
      clusterId: 'c-test',
    });
  });

  it('reads every key of a full config', () => {
    const { config } = eniConfigFromObject({
      cluster_id: 'c-full',
      max_pool_size: 20,
      min_pool_size: 4,
      vswitches: { 'cn-hangzhou-i': ['vsw-a1', 'vsw-a2'], 'cn-hangzhou-k': ['vsw-b1'] },
      vswitch_selection_policy: 'ordered',
      security_group: 'sg-1',
      security_groups: ['sg-2', 'sg-1'],
      service_cidr: '172.21.0.0/20',
      eni_tags: { team: 'net' },
      ip_stack: 'ipv4',
      enable_eni_trunking: true,
      rate_limit: { AssignPrivateIpAddresses: 100 },
      idle_ip_reclaim_after: '30m',
      idle_ip_reclaim_interval: '1m',
      idle_ip_reclaim_batch_size: 3,
      idle_ip_reclaim_jitter_factor: 0.5,
      ip_cooldown: '90s',
      vswitch_block_duration: '1h30m',
    });
    expect(config).toMatchObject({
      maxPoolSize: 20,
      minPoolSize: 4,
      vswitches: { 'cn-hangzhou-i': ['vsw-a1', 'vsw-a2'], 'cn-hangzhou-k': ['vsw-b1'] },
      vswitchSelectionPolicy: 'ordered',
      securityGroupIds: ['sg-1', 'sg-2'],
      serviceCidr: '172.21.0.0/20',
      eniTags: { team: 'net' },
      enableEniTrunking: true,
      rateLimits: { ...DEFAULT_RATE_LIMITS, AssignPrivateIpAddresses: 100 },
      idleIpReclaim: { afterMs: 1_800_000, intervalMs: 60_000, batchSize: 3, jitterFactor: 0.5 },
      ipCooldownMs: 90_000,
      vswitchBlockMs: 5_400_000,
      clusterId: 'c-full',
    });
  });

  it('accepts an ip_cooldown of 0s (no cooldown)', () => {
    expect(eniConfigFromObject({ ...minimal, ip_cooldown: '0s' }).config.ipCooldownMs).toBe(0);
  });
});

describe('parseEniConfig: the document', () => {
  it('rejects text that is not JSON', () => {
    expect(() => parseEniConfig('{max_pool_size: 5')).toThrow(/^eni-config: not valid JSON: /);
  });

  it('rejects JSON that is not an object', () => {
    expect(() => parseEniConfig('[1]')).toThrow('eni-config: must be a JSON object of eni_conf keys');
  });

  it('reports unknown keys, Terway-only keys and credentials as such', () => {
    expect(problemsOf({ max_pool: 5, ip_warm_up_size: 3, access_secret: 'x', eni_conf: '{}' })).toEqual([
      'eni-config: max_pool: unknown key',
      'eni-config: ip_warm_up_size: a Terway key that ipledger does not support; remove it',
      'eni-config: access_secret: credentials are not read from eni-config; set ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET',
      'eni-config: eni_conf: this is the ConfigMap entry: pass its value (the eni_conf JSON), not the ConfigMap data',
    ]);
  });

  it('accepts Terway keys that only tune Terway itself, with a warning for each', () => {
    const loaded = parseEniConfig(
      JSON.stringify({ ...minimal, version: '1', ipam_type: 'crd', ip_pool_sync_period: '120s' }),
    );
    expect(loaded.warnings).toEqual([
      'eni-config: version: a Terway key that has no effect in ipledger; ignored',
      'eni-config: ipam_type: a Terway key that has no effect in ipledger; ignored',
      'eni-config: ip_pool_sync_period: a Terway key that has no effect in ipledger; ignored',
    ]);
    expect(loaded.sha256).toBe(parseEniConfig(JSON.stringify(minimal)).sha256);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ max_pool_size: -1, ip_cooldown: 'soon', cluster_id: undefined })).toHaveLength(3);
  });
});

describe('parseEniConfig: pool sizes', () => {
  it('rejects min_pool_size above max_pool_size', () => {
    expect(problemsOf({ min_pool_size: 12, max_pool_size: 10 })).toEqual([
      'eni-config: min_pool_size (12) must not exceed max_pool_size (10)',
    ]);
  });

  it.each([
    ['max_pool_size', -1, 'eni-config: max_pool_size: -1 is not an integer ≥ 0'],
    ['max_pool_size', '5', 'eni-config: max_pool_size: "5" is not an integer ≥ 0'],
    ['min_pool_size', 1.5, 'eni-config: min_pool_size: 1.5 is not an integer ≥ 0'],
    ['idle_ip_reclaim_batch_size', 0, 'eni-config: idle_ip_reclaim_batch_size: 0 is not an integer from 1 to 10'],
    ['idle_ip_reclaim_batch_size', 11, 'eni-config: idle_ip_reclaim_batch_size: 11 is not an integer from 1 to 10'],
    ['idle_ip_reclaim_batch_size', 2.5, 'eni-config: idle_ip_reclaim_batch_size: 2.5 is not an integer from 1 to 10'],
    ['idle_ip_reclaim_batch_size', '5', 'eni-config: idle_ip_reclaim_batch_size: "5" is not an integer from 1 to 10'],
  ])('rejects %s = %j', (key, value, message) => {
    expect(problemsOf({ [key]: value })).toEqual([message]);
  });
});

describe('parseEniConfig: vswitches', () => {
  it('names the zone and index of a bad vSwitch id', () => {
    expect(problemsOf({ vswitches: { 'cn-hangzhou-i': ['vsw-ok', 'abc'] } })).toEqual([
      'eni-config: vswitches.cn-hangzhou-i[1]: "abc" is not a vSwitch id (vsw-…)',
    ]);
  });

  it.each([
    [
      undefined,
      'eni-config: vswitches: required: at least one zone with its vSwitch ids, e.g. {"cn-hangzhou-i": ["vsw-…"]}',
    ],
    [{}, 'eni-config: vswitches: required: at least one zone with its vSwitch ids, e.g. {"cn-hangzhou-i": ["vsw-…"]}'],
    [['vsw-1'], 'eni-config: vswitches: must be an object of zone id → list of vSwitch ids'],
    [{ Hangzhou: ['vsw-1'] }, 'eni-config: vswitches: "Hangzhou" is not a zone id (e.g. cn-hangzhou-i)'],
    [{ 'cn-hangzhou-i': [] }, 'eni-config: vswitches.cn-hangzhou-i: must be a non-empty list of vSwitch ids'],
    [{ 'cn-hangzhou-i': 'vsw-1' }, 'eni-config: vswitches.cn-hangzhou-i: must be a non-empty list of vSwitch ids'],
    [
      { 'cn-hangzhou-i': ['vsw-1'], 'cn-hangzhou-k': ['vsw-1'] },
      'eni-config: vswitches.cn-hangzhou-k[0]: "vsw-1" is already listed under cn-hangzhou-i',
    ],
  ])('rejects vswitches = %j', (vswitches, message) => {
    expect(problemsOf({ vswitches })).toEqual([message]);
  });

  it('rejects an unknown selection policy', () => {
    expect(problemsOf({ vswitch_selection_policy: 'most' })).toEqual([
      'eni-config: vswitch_selection_policy: "most" is not one of "ordered", "random"',
    ]);
  });
});

describe('parseEniConfig: security groups', () => {
  it('requires one', () => {
    expect(problemsOf({ security_group: undefined })).toEqual([
      'eni-config: security_group / security_groups: required: at least one security group id (sg-…)',
    ]);
  });

  it('allows at most 10 after merging both keys', () => {
    const many = Array.from({ length: 10 }, (_, i) => `sg-${i}`);
    expect(problemsOf({ security_group: 'sg-x', security_groups: many })).toEqual([
      'eni-config: security_groups: 11 security groups given; an ENI can have at most 10',
    ]);
  });

  it('names the bad entry', () => {
    expect(problemsOf({ security_groups: ['sg-1', 'default'] })).toEqual([
      'eni-config: security_groups[1]: "default" is not a security group id (sg-…)',
    ]);
    expect(problemsOf({ security_group: 'x' })).toEqual([
      'eni-config: security_group: "x" is not a security group id (sg-…)',
    ]);
  });
});

describe('parseEniConfig: service_cidr, ip_stack, trunking', () => {
  it.each([
    ['10.96.0.1/12', 'eni-config: service_cidr: "10.96.0.1/12" has host bits set; the network is 10.96.0.0/12'],
    ['10.96.0.0', 'eni-config: service_cidr: "10.96.0.0" is not an IPv4 CIDR (e.g. 172.21.0.0/20)'],
    ['10.96.0.0/33', 'eni-config: service_cidr: "10.96.0.0/33" is not an IPv4 CIDR (e.g. 172.21.0.0/20)'],
    [
      '172.21.0.0/20,fd00::/112',
      'eni-config: service_cidr: an IPv6 Service CIDR needs ip_stack "dual", which ipledger does not support yet',
    ],
    [
      '10.0.0.0/16,10.1.0.0/16',
      'eni-config: service_cidr: "10.0.0.0/16,10.1.0.0/16" lists 2 CIDRs; give one IPv4 CIDR',
    ],
  ])('rejects service_cidr %s', (service_cidr, message) => {
    expect(problemsOf({ service_cidr })).toEqual([message]);
  });

  it('says precisely that dual stack is not supported yet', () => {
    expect(problemsOf({ ip_stack: 'dual' })).toEqual([
      'eni-config: ip_stack: "dual" is not supported yet: ipledger allocates IPv4 addresses only (use "ipv4")',
    ]);
    expect(problemsOf({ ip_stack: 'v4' })).toEqual([
      'eni-config: ip_stack: "v4" is not one of "ipv4", "dual", "ipv6" (only "ipv4" is supported)',
    ]);
  });

  it('wants a boolean for enable_eni_trunking', () => {
    expect(problemsOf({ enable_eni_trunking: 'true' })).toEqual([
      'eni-config: enable_eni_trunking: "true" is not true or false',
    ]);
  });
});

describe('parseEniConfig: eni_tags', () => {
  it.each([
    [
      { 'aliyun-x': 'v' },
      'eni-config: eni_tags.aliyun-x: tag keys must not start with "aliyun", "acs:", "http://" or "https://"',
    ],
    [
      { 'ipledger.io/cluster': 'v' },
      'eni-config: eni_tags.ipledger.io/cluster: keys under "ipledger.io/" are set by ipledger itself',
    ],
    [{ team: 3 }, 'eni-config: eni_tags.team: 3 is not a string of at most 128 characters'],
    ['team=net', 'eni-config: eni_tags: must be an object of tag key → value'],
  ])('rejects %j', (eni_tags, message) => {
    expect(problemsOf({ eni_tags })).toEqual([message]);
  });

  it('allows at most 18 tags', () => {
    const tags = Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`k${i}`, 'v']));
    expect(problemsOf({ eni_tags: tags })).toEqual([
      'eni-config: eni_tags: 19 tags given; at most 18 (an ENI holds 20)',
    ]);
  });
});

describe('parseEniConfig: rate_limit', () => {
  it('names an API ipledger does not call', () => {
    const [problem] = problemsOf({ rate_limit: { CreateNetworkInterfaces: 10 } });
    expect(problem).toMatch(
      /^eni-config: rate_limit\.CreateNetworkInterfaces: not a cloud API ipledger calls \(one of /,
    );
  });

  it('wants positive integers', () => {
    expect(problemsOf({ rate_limit: { DescribeVSwitches: 0 } })).toEqual([
      'eni-config: rate_limit.DescribeVSwitches: 0 is not a positive integer (calls per minute)',
    ]);
  });
});

describe('parseEniConfig: durations', () => {
  it.each([
    ['ip_cooldown', '60', 'eni-config: ip_cooldown: "60" is not a duration (e.g. "30s", "5m", "1h30m")'],
    ['ip_cooldown', 60, 'eni-config: ip_cooldown: 60 is not a duration (e.g. "30s", "5m", "1h30m")'],
    ['vswitch_block_duration', '0s', 'eni-config: vswitch_block_duration: must be longer than 0s'],
    [
      'idle_ip_reclaim_after',
      '-5m',
      'eni-config: idle_ip_reclaim_after: "-5m" is not a duration (e.g. "30s", "5m", "1h30m")',
    ],
    ['idle_ip_reclaim_interval', '0', 'eni-config: idle_ip_reclaim_interval: must be longer than 0s'],
    [
      'idle_ip_reclaim_jitter_factor',
      1.5,
      'eni-config: idle_ip_reclaim_jitter_factor: 1.5 is not a number between 0 and 1',
    ],
    [
      'idle_ip_reclaim_jitter_factor',
      -0.1,
      'eni-config: idle_ip_reclaim_jitter_factor: -0.1 is not a number between 0 and 1',
    ],
    [
      'idle_ip_reclaim_jitter_factor',
      '0.1',
      'eni-config: idle_ip_reclaim_jitter_factor: "0.1" is not a number between 0 and 1',
    ],
    ['idle_ip_reclaim_after', '0s', 'eni-config: idle_ip_reclaim_after: must be longer than 0s'],
  ])('rejects %s = %j', (key, value, message) => {
    expect(problemsOf({ [key]: value })).toEqual([message]);
  });
});

describe('parseEniConfig: idle-IP reclaim ranges', () => {
  it.each([
    [1, 0],
    [10, 1],
    [7, 0.25],
  ])('accepts batch size %j and jitter factor %j, the ends of Terway ranges included', (batchSize, jitterFactor) => {
    const { config } = eniConfigFromObject({
      ...minimal,
      idle_ip_reclaim_batch_size: batchSize,
      idle_ip_reclaim_jitter_factor: jitterFactor,
    });
    expect(config.idleIpReclaim).toMatchObject({ afterMs: null, batchSize, jitterFactor });
  });

  it('reports every bad reclaim key at once', () => {
    expect(
      problemsOf({ idle_ip_reclaim_batch_size: 20, idle_ip_reclaim_jitter_factor: 2, idle_ip_reclaim_interval: '1x' }),
    ).toEqual([
      'eni-config: idle_ip_reclaim_interval: "1x" is not a duration (e.g. "30s", "5m", "1h30m")',
      'eni-config: idle_ip_reclaim_batch_size: 20 is not an integer from 1 to 10',
      'eni-config: idle_ip_reclaim_jitter_factor: 2 is not a number between 0 and 1',
    ]);
  });
});

describe('parseEniConfig: cluster_id', () => {
  it('is required', () => {
    expect(problemsOf({ cluster_id: undefined })).toEqual([
      "eni-config: cluster_id: required: it tags this cluster's ENIs so that the leak sweeper spares others'",
    ]);
  });

  it('rejects odd characters', () => {
    expect(problemsOf({ cluster_id: 'my cluster' })).toEqual([
      'eni-config: cluster_id: "my cluster" must be 1-63 letters, digits, ".", "_" or "-"',
    ]);
  });
});

describe('canonical form and hash', () => {
  it('hashes configs that mean the same the same way', () => {
    const a = eniConfigFromObject({ ...minimal, ip_cooldown: '90s' });
    const b = eniConfigFromObject({
      security_groups: ['sg-1'],
      ip_cooldown: '1m30s',
      max_pool_size: 5,
      vswitches: { 'cn-hangzhou-i': ['vsw-a1'] },
      cluster_id: 'c-test',
    });
    expect(b.canonicalJson).toBe(a.canonicalJson);
    expect(b.sha256).toBe(a.sha256);
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes different configs differently', () => {
    const a = eniConfigFromObject(minimal);
    const b = eniConfigFromObject({ ...minimal, max_pool_size: 6 });
    expect(b.sha256).not.toBe(a.sha256);
  });

  it('writes snake_case keys in sorted order with Go durations', () => {
    const { canonical, canonicalJson } = eniConfigFromObject({ ...minimal, idle_ip_reclaim_after: '90m' });
    expect(Object.keys(canonical)).toEqual([...Object.keys(canonical)].sort());
    expect(canonical).toMatchObject({
      ip_cooldown: '1m0s',
      idle_ip_reclaim_after: '1h30m0s',
      security_groups: ['sg-1'],
      service_cidr: null,
    });
    expect(canonicalJson).toBe(JSON.stringify(canonical));
  });

  it('reads its own canonical form back to the same config (ConfigApplied replays)', () => {
    const first = eniConfigFromObject({ ...minimal, service_cidr: '10.96.0.0/12', eni_tags: { a: 'b' } });
    const again = eniConfigFromObject(JSON.parse(first.canonicalJson));
    expect(again.config).toEqual(first.config);
    expect(again.sha256).toBe(first.sha256);
  });
});
