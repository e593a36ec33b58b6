import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAllocatorSettings, readEniConfig, toLoggable } from './allocator-settings.loader.js';
import { ConfigError } from './config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'ipl-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const eniJson = JSON.stringify({
  cluster_id: 'c1',
  vswitches: { 'cn-hangzhou-i': ['vsw-1'] },
  security_group: 'sg-1',
});

describe('loadAllocatorSettings', () => {
  it('reads the eni-config file named by IPLEDGER_ENI_CONFIG_FILE', () => {
    const path = join(dir, 'eni.json');
    writeFileSync(path, eniJson);
    const settings = loadAllocatorSettings({ IPLEDGER_ENI_CONFIG_FILE: path, ECS_ENDPOINT: '127.0.0.1:1' });
    expect(settings.eniConfig.config.clusterId).toBe('c1');
    expect(settings.env.replicaId).toMatch(new RegExp(`-${process.pid}$`));
  });

  it('reads inline JSON from IPLEDGER_ENI_CONFIG', () => {
    const settings = loadAllocatorSettings({ IPLEDGER_ENI_CONFIG: eniJson, ECS_ENDPOINT: '127.0.0.1:1' });
    expect(settings.eniConfig.config.securityGroupIds).toEqual(['sg-1']);
  });

  it('names the variable when the file cannot be read', () => {
    expect(() => readEniConfig({ kind: 'file', path: join(dir, 'missing.json') })).toThrow(
      `IPLEDGER_ENI_CONFIG_FILE: cannot read ${join(dir, 'missing.json')}: ENOENT`,
    );
  });

  it('says which file holds a bad key', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ ...JSON.parse(eniJson), max_pool_size: -2 }));
    expect(() => readEniConfig({ kind: 'file', path })).toThrow(
      new ConfigError([`eni-config: max_pool_size: -2 is not an integer ≥ 0 (in ${path})`]),
    );
  });
});

describe('toLoggable', () => {
  it('masks passwords and cloud secrets, keeps what helps debugging', () => {
    const { env } = loadAllocatorSettings({
      IPLEDGER_ENI_CONFIG: eniJson,
      DATABASE_URL: 'postgres://app:db-password@db:5432/ipledger',
      NATS_URL: 'nats://natstoken@nats:4222',
      ECS_REGION: 'cn-hangzhou',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tAbCdEfGhIj',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'cloud-secret-value',
    });
    const logged = JSON.stringify(toLoggable(env));
    expect(logged).not.toMatch(/db-password|natstoken|cloud-secret-value|LTAI5tAbCdEfGhIj/);
    expect(toLoggable(env)).toMatchObject({
      databaseUrl: 'postgres://app:[REDACTED]@db:5432/ipledger',
      natsServers: ['nats://[REDACTED]@nats:4222'],
      credentials: { accessKeyId: 'LTAI****Ij', accessKeySecret: '[REDACTED]' },
      eniConfigSource: { kind: 'inline' },
    });
  });

  it('keeps the cloud secret out of JSON and inspect output of the settings themselves', () => {
    const { env } = loadAllocatorSettings({
      IPLEDGER_ENI_CONFIG: eniJson,
      ECS_REGION: 'cn-hangzhou',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tAbCdEfGhIj',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'cloud-secret-value',
    });
    expect(JSON.stringify(env)).not.toContain('cloud-secret-value');
    expect(inspect(env, { depth: 5 })).not.toContain('cloud-secret-value');
    expect(env.credentials?.revealSecret()).toBe('cloud-secret-value');
  });
});
