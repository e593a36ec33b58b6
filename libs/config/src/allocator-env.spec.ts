import { describe, expect, it } from 'vitest';
import { parseAllocatorEnv } from './allocator-env.js';
import { ConfigError } from './config-error.js';

const base = { IPLEDGER_ENI_CONFIG_FILE: '/etc/ipledger/eni.json', ECS_ENDPOINT: '127.0.0.1:8080' };

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    parseAllocatorEnv({ ...base, ...env }, 'replica-1');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('the environment was accepted');
}

describe('parseAllocatorEnv', () => {
  it('fills in the defaults', () => {
    const env = parseAllocatorEnv(base, 'replica-1');
    expect(env).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/ipledger',
      natsServers: ['nats://127.0.0.1:4222'],
      grpcAddr: { host: '127.0.0.1', port: 50051 },
      ecs: { endpoint: '127.0.0.1:8080', protocol: 'http', region: 'cn-hangzhou' },
      credentials: null,
      tls: null,
      metricsAddr: { host: '127.0.0.1', port: 9464 },
      replicaId: 'replica-1',
      eniConfigSource: { kind: 'file', path: '/etc/ipledger/eni.json' },
    });
  });

  it('reads every variable', () => {
    const env = parseAllocatorEnv(
      {
        DATABASE_URL: 'postgresql://app:pw@db.internal:5433/ledger',
        NATS_URL: 'nats://n1:4222, nats://n2:4222',
        IPLEDGER_GRPC_ADDR: '0.0.0.0:6000',
        ECS_ENDPOINT: '',
        ECS_REGION: 'cn-beijing',
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tExampleKeyId',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'the-secret',
        IPLEDGER_TLS_CERT: '/tls/tls.crt',
        IPLEDGER_TLS_KEY: '/tls/tls.key',
        IPLEDGER_TLS_CA: '/tls/ca.crt',
        IPLEDGER_METRICS_ADDR: '[::1]:9500',
        IPLEDGER_REPLICA_ID: 'allocator-0',
        IPLEDGER_ENI_CONFIG: '{"cluster_id":"c"}',
      },
      'fallback',
    );
    expect(env).toMatchObject({
      databaseUrl: 'postgresql://app:pw@db.internal:5433/ledger',
      natsServers: ['nats://n1:4222', 'nats://n2:4222'],
      grpcAddr: { host: '0.0.0.0', port: 6000 },
      ecs: { endpoint: null, protocol: 'https', region: 'cn-beijing' },
      tls: { certFile: '/tls/tls.crt', keyFile: '/tls/tls.key', caFile: '/tls/ca.crt' },
      metricsAddr: { host: '[::1]', port: 9500 },
      replicaId: 'allocator-0',
      eniConfigSource: { kind: 'inline', json: '{"cluster_id":"c"}' },
    });
    expect(env.credentials?.accessKeyId).toBe('LTAI5tExampleKeyId');
    expect(env.credentials?.revealSecret()).toBe('the-secret');
  });

  it('turns metrics off with "off" and takes a scheme on ECS_ENDPOINT', () => {
    const env = parseAllocatorEnv(
      { ...base, IPLEDGER_METRICS_ADDR: 'off', ECS_ENDPOINT: 'https://ecs.local:443' },
      'r',
    );
    expect(env.metricsAddr).toBeNull();
    expect(env.ecs).toMatchObject({ endpoint: 'ecs.local:443', protocol: 'https' });
  });

  it.each([
    [{ IPLEDGER_GRPC_ADDR: '50051' }, 'IPLEDGER_GRPC_ADDR: "50051" is not host:port (e.g. 127.0.0.1:50051)'],
    [{ IPLEDGER_GRPC_ADDR: '127.0.0.1:70000' }, 'IPLEDGER_GRPC_ADDR: port 70000 is out of range (1-65535)'],
    [
      { IPLEDGER_METRICS_ADDR: 'bad host:9464' },
      'IPLEDGER_METRICS_ADDR: "bad host" is neither an IP address nor a host name',
    ],
    [
      { DATABASE_URL: 'mysql://root:pw@db/x' },
      'DATABASE_URL: not a postgres:// URL (e.g. postgres://user@host:5432/database)',
    ],
    [{ NATS_URL: 'http://127.0.0.1:4222' }, 'NATS_URL: "http://127.0.0.1:4222" is not nats://host:port'],
    [{ ECS_ENDPOINT: 'ecs sim' }, 'ECS_ENDPOINT: "ecs sim" is not host:port (e.g. 127.0.0.1:50051)'],
    [{ ECS_REGION: 'Hangzhou' }, 'ECS_REGION: "Hangzhou" is not a region id (e.g. cn-hangzhou)'],
    [{ IPLEDGER_REPLICA_ID: 'a b' }, 'IPLEDGER_REPLICA_ID: "a b" must be 1-63 letters, digits, ".", "_" or "-"'],
    [
      { IPLEDGER_ENI_CONFIG: '{}' },
      'IPLEDGER_ENI_CONFIG: set either IPLEDGER_ENI_CONFIG_FILE or IPLEDGER_ENI_CONFIG, not both',
    ],
    [
      { IPLEDGER_ENI_CONFIG_FILE: '' },
      'IPLEDGER_ENI_CONFIG_FILE: required: the path of the eni_conf JSON (or put the JSON itself in IPLEDGER_ENI_CONFIG)',
    ],
    [
      { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIxxxxxxxx' },
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET: required when ALIBABA_CLOUD_ACCESS_KEY_ID is set',
    ],
    [
      { ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's' },
      'ALIBABA_CLOUD_ACCESS_KEY_ID: required when ALIBABA_CLOUD_ACCESS_KEY_SECRET is set',
    ],
  ])('rejects %j', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });

  it('needs a region and keys for the real cloud', () => {
    expect(problemsOf({ ECS_ENDPOINT: undefined })).toEqual([
      'ECS_REGION: required when ECS_ENDPOINT is empty (the real cloud), e.g. cn-hangzhou',
      'ALIBABA_CLOUD_ACCESS_KEY_ID: required when ECS_ENDPOINT is empty (the real cloud)',
    ]);
  });

  it('needs all three TLS files or none', () => {
    expect(problemsOf({ IPLEDGER_TLS_CERT: '/c', IPLEDGER_TLS_CA: '/ca' })).toEqual([
      'IPLEDGER_TLS_KEY: required when IPLEDGER_TLS_CERT and IPLEDGER_TLS_CA is set (mutual TLS needs all three)',
    ]);
  });

  it('never puts a database password into a message', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(problem).not.toContain('hunter2');
  });
});
