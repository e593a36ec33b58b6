import { ConfigError } from '@ipledger/config';
import { describe, expect, it } from 'vitest';
import { parseAgentEnv } from './agent-settings.js';

const minimal = {
  IPLEDGER_NODE_NAME: 'node-1',
  IPLEDGER_INSTANCE_ID: 'i-sim0001',
  IPLEDGER_INSTANCE_TYPE: 'ecs.g7.large',
  IPLEDGER_ZONE: 'cn-hangzhou-h',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    parseAgentEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseAgentEnv', () => {
  it('fills defaults around the four node facts', () => {
    const settings = parseAgentEnv(minimal);
    expect(settings).toMatchObject({
      nodeName: 'node-1',
      instanceId: 'i-sim0001',
      instanceType: 'ecs.g7.large',
      zone: 'cn-hangzhou-h',
      mode: 'eniip',
      allocatorAddr: '127.0.0.1:50051',
      natsServers: ['nats://127.0.0.1:4222'],
      cniSocket: '/run/ipledger/cni.sock',
      hostNetns: null,
      stateDir: '/var/lib/ipledger',
      serviceCidr: null,
      metricsAddr: { host: '127.0.0.1', port: 9465 },
      repairIntervalMs: 60_000,
    });
  });

  it('reads every optional variable', () => {
    const settings = parseAgentEnv({
      ...minimal,
      IPLEDGER_MODE: 'eni',
      IPLEDGER_ALLOCATOR_ADDR: '10.0.0.5:7000',
      NATS_URL: 'nats://a:4222, nats://b:4222',
      IPLEDGER_CNI_SOCKET: '/tmp/x/cni.sock',
      IPLEDGER_HOST_NETNS: 'ipl-node-1',
      IPLEDGER_STATE_DIR: '/tmp/state',
      IPLEDGER_SERVICE_CIDR: '172.21.0.0/20',
      IPLEDGER_METRICS_ADDR: 'off',
      IPLEDGER_REPAIR_INTERVAL: '2s',
    });
    expect(settings).toMatchObject({
      mode: 'eni',
      allocatorAddr: '10.0.0.5:7000',
      natsServers: ['nats://a:4222', 'nats://b:4222'],
      cniSocket: '/tmp/x/cni.sock',
      hostNetns: 'ipl-node-1',
      stateDir: '/tmp/state',
      serviceCidr: '172.21.0.0/20',
      metricsAddr: null,
      repairIntervalMs: 2000,
    });
  });

  it('names every missing node fact at once', () => {
    const problems = problemsOf({});
    expect(problems).toHaveLength(4);
    for (const name of ['IPLEDGER_NODE_NAME', 'IPLEDGER_INSTANCE_ID', 'IPLEDGER_INSTANCE_TYPE', 'IPLEDGER_ZONE']) {
      expect(problems.some((p) => p.startsWith(`${name}: required`))).toBe(true);
    }
  });

  it.each([
    ['IPLEDGER_MODE', 'trunk', 'not a mode this agent serves'],
    ['IPLEDGER_NODE_NAME', 'Node_1', 'is not valid'],
    ['IPLEDGER_ALLOCATOR_ADDR', 'localhost', 'is not host:port'],
    ['NATS_URL', 'http://x:1', 'is not nats://host:port'],
    ['IPLEDGER_CNI_SOCKET', 'run/cni.sock', 'must be an absolute path'],
    ['IPLEDGER_CNI_SOCKET', `/${'s'.repeat(120)}`, 'longer than 107 bytes'],
    ['IPLEDGER_STATE_DIR', 'state', 'must be an absolute path'],
    ['IPLEDGER_HOST_NETNS', '../x', 'not a namespace name'],
    ['IPLEDGER_SERVICE_CIDR', '172.21.0.1/20', 'host bits set'],
    ['IPLEDGER_REPAIR_INTERVAL', 'soon', 'not a duration'],
    ['IPLEDGER_REPAIR_INTERVAL', '10ms', 'shorter than 100 ms'],
  ])('refuses %s=%s', (name, value, message) => {
    const problems = problemsOf({ ...minimal, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${name}: `);
    expect(problems[0]).toContain(message);
  });

  it('talks plaintext to the allocator unless the three TLS files are given', () => {
    expect(parseAgentEnv(minimal).allocatorTls).toBeNull();
    expect(
      parseAgentEnv({
        ...minimal,
        IPLEDGER_ALLOCATOR_TLS_CERT: '/etc/ipledger/tls/tls.crt',
        IPLEDGER_ALLOCATOR_TLS_KEY: '/etc/ipledger/tls/tls.key',
        IPLEDGER_ALLOCATOR_TLS_CA: '/etc/ipledger/tls/ca.crt',
      }).allocatorTls,
    ).toEqual({
      certFile: '/etc/ipledger/tls/tls.crt',
      keyFile: '/etc/ipledger/tls/tls.key',
      caFile: '/etc/ipledger/tls/ca.crt',
      serverName: null,
    });
  });

  it('reads the name the allocator certificate must carry', () => {
    const settings = parseAgentEnv({
      ...minimal,
      IPLEDGER_ALLOCATOR_TLS_CERT: 'tls.crt',
      IPLEDGER_ALLOCATOR_TLS_KEY: 'tls.key',
      IPLEDGER_ALLOCATOR_TLS_CA: 'ca.crt',
      IPLEDGER_ALLOCATOR_TLS_SERVER_NAME: 'ipledger-allocator.ipledger-system.svc',
    });
    expect(settings.allocatorTls?.serverName).toBe('ipledger-allocator.ipledger-system.svc');
  });

  it('counts an empty TLS variable as unset', () => {
    expect(
      parseAgentEnv({
        ...minimal,
        IPLEDGER_ALLOCATOR_TLS_CERT: '',
        IPLEDGER_ALLOCATOR_TLS_KEY: ' ',
        IPLEDGER_ALLOCATOR_TLS_CA: '',
      }).allocatorTls,
    ).toBeNull();
  });

  it.each([
    [
      { IPLEDGER_ALLOCATOR_TLS_CERT: 'tls.crt' },
      [
        'IPLEDGER_ALLOCATOR_TLS_KEY: required when IPLEDGER_ALLOCATOR_TLS_CERT is set (mutual TLS needs all three)',
        'IPLEDGER_ALLOCATOR_TLS_CA: required when IPLEDGER_ALLOCATOR_TLS_CERT is set (mutual TLS needs all three)',
      ],
    ],
    [
      { IPLEDGER_ALLOCATOR_TLS_KEY: 'tls.key', IPLEDGER_ALLOCATOR_TLS_CA: 'ca.crt' },
      [
        'IPLEDGER_ALLOCATOR_TLS_CERT: required when IPLEDGER_ALLOCATOR_TLS_KEY and IPLEDGER_ALLOCATOR_TLS_CA are set (mutual TLS needs all three)',
      ],
    ],
    [
      { IPLEDGER_ALLOCATOR_TLS_SERVER_NAME: 'allocator.example' },
      [
        'IPLEDGER_ALLOCATOR_TLS_SERVER_NAME: only used with mutual TLS: set IPLEDGER_ALLOCATOR_TLS_CERT, _KEY and _CA too, or unset it',
      ],
    ],
    [
      {
        IPLEDGER_ALLOCATOR_TLS_CERT: 'tls.crt',
        IPLEDGER_ALLOCATOR_TLS_KEY: 'tls.key',
        IPLEDGER_ALLOCATOR_TLS_CA: 'ca.crt',
        IPLEDGER_ALLOCATOR_TLS_SERVER_NAME: 'https://allocator',
      },
      ['IPLEDGER_ALLOCATOR_TLS_SERVER_NAME: "https://allocator" is not a DNS name or IPv4 address'],
    ],
  ])('refuses partial or stray TLS settings %j', (tls, expected) => {
    expect(problemsOf({ ...minimal, ...tls })).toEqual(expected);
  });

  it('never echoes a NATS token', () => {
    const [problem] = problemsOf({ ...minimal, NATS_URL: 'nats://s3cret@' });
    expect(problem).not.toContain('s3cret');
  });
});
