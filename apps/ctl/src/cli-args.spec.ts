import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOCATOR_ADDR, parseCliArgs, parsePodSelector, readTimeBound } from './cli-args.js';
import { UsageError } from './cli-error.js';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const parse = (line: string, env: Record<string, string> = {}) =>
  parseCliArgs(line === '' ? [] : line.split(' '), env, NOW);
const usageError = (line: string, env: Record<string, string> = {}) => {
  try {
    parse(line, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`"${line}" parsed without error`);
};

describe('parseCliArgs: commands', () => {
  it('reads every command with its arguments', () => {
    expect(parse('nodes').command).toEqual({ kind: 'nodes' });
    expect(parse('node node-a').command).toEqual({ kind: 'node', name: 'node-a' });
    expect(parse('allocations').command).toEqual({ kind: 'allocations', node: null });
    expect(parse('allocations --node node-b').command).toEqual({ kind: 'allocations', node: 'node-b' });
    expect(parse('allocation --ip 10.0.1.7').command).toEqual({
      kind: 'allocation',
      target: { kind: 'ip', ip: '10.0.1.7' },
    });
    expect(parse('allocation --pod=default/web-0').command).toEqual({
      kind: 'allocation',
      target: { kind: 'pod', pod: { namespace: 'default', name: 'web-0', uid: null } },
    });
    expect(parse('config check /etc/eni.json').command).toEqual({ kind: 'config-check', file: '/etc/eni.json' });
  });

  it('reads history targets and time bounds', () => {
    expect(parse('history --pod kube-system/dns/u-1 --from 2026-11-20 --to 1h').command).toEqual({
      kind: 'history',
      target: { kind: 'pod', pod: { namespace: 'kube-system', name: 'dns', uid: 'u-1' } },
      from: '2026-11-20T00:00:00.000Z',
      to: '2026-11-21T11:00:00.000Z',
    });
    expect(parse('history --eni eni-9').command).toMatchObject({ target: { kind: 'eni', eni: 'eni-9' }, from: null });
    expect(parse('history --node n1').command).toMatchObject({ target: { kind: 'node', node: 'n1' } });
  });

  it('answers help for -h, --help, `help <command>` and no command at all', () => {
    expect(parse('').command).toEqual({ kind: 'help', topic: null });
    expect(parse('--help').command).toEqual({ kind: 'help', topic: null });
    expect(parse('history -h').command).toEqual({ kind: 'help', topic: 'history' });
    expect(parse('help config check').command).toEqual({ kind: 'help', topic: 'config-check' });
    expect(parse('help nonsense').command).toEqual({ kind: 'help', topic: null });
  });
});

describe('parseCliArgs: global options', () => {
  it('takes the allocator address from the flag, then the environment, then the default', () => {
    expect(parse('nodes').global.allocator).toBe(DEFAULT_ALLOCATOR_ADDR);
    expect(parse('nodes', { IPLEDGER_ALLOCATOR_ADDR: '10.1.1.1:7000' }).global.allocator).toBe('10.1.1.1:7000');
    expect(parse('nodes --allocator a.example:1', { IPLEDGER_ALLOCATOR_ADDR: 'b:2' }).global.allocator).toBe(
      'a.example:1',
    );
  });

  it('accepts global flags before or after the command', () => {
    expect(parse('--json nodes').global.json).toBe(true);
    expect(parse('nodes --json --timeout 2s').global).toMatchObject({ json: true, timeoutMs: 2_000, tls: null });
  });

  it('takes mutual TLS files only all together', () => {
    expect(parse('nodes --cert c.pem --key k.pem --ca ca.pem').global.tls).toEqual({
      cert: 'c.pem',
      key: 'k.pem',
      ca: 'ca.pem',
      serverName: null,
      sources: { cert: '--cert', key: '--key', ca: '--ca' },
    });
    expect(usageError('nodes --cert c.pem --key k.pem')).toBe(
      'mutual TLS needs --cert, --key and --ca together: --ca (or IPLEDGER_ALLOCATOR_TLS_CA) missing',
    );
    expect(usageError('nodes --ca ca.pem')).toBe(
      'mutual TLS needs --cert, --key and --ca together: --cert (or IPLEDGER_ALLOCATOR_TLS_CERT) and ' +
        '--key (or IPLEDGER_ALLOCATOR_TLS_KEY) missing',
    );
  });

  it('reads the TLS files from the environment, a flag winning over its variable', () => {
    const env = {
      IPLEDGER_ALLOCATOR_TLS_CERT: '/env/tls.crt',
      IPLEDGER_ALLOCATOR_TLS_KEY: '/env/tls.key',
      IPLEDGER_ALLOCATOR_TLS_CA: '/env/ca.crt',
      IPLEDGER_ALLOCATOR_TLS_SERVER_NAME: 'allocator.example',
    };
    expect(parse('nodes', env).global.tls).toEqual({
      cert: '/env/tls.crt',
      key: '/env/tls.key',
      ca: '/env/ca.crt',
      serverName: 'allocator.example',
      sources: {
        cert: 'IPLEDGER_ALLOCATOR_TLS_CERT',
        key: 'IPLEDGER_ALLOCATOR_TLS_KEY',
        ca: 'IPLEDGER_ALLOCATOR_TLS_CA',
      },
    });
    expect(parse('nodes --cert me.crt --key me.key --tls-server-name 10.0.0.7', env).global.tls).toMatchObject({
      cert: 'me.crt',
      key: 'me.key',
      ca: '/env/ca.crt',
      serverName: '10.0.0.7',
      sources: { cert: '--cert', key: '--key', ca: 'IPLEDGER_ALLOCATOR_TLS_CA' },
    });
    expect(
      usageError('nodes --key k.pem', { IPLEDGER_ALLOCATOR_TLS_CERT: 'c.pem', IPLEDGER_ALLOCATOR_TLS_CA: '' }),
    ).toBe('mutual TLS needs --cert, --key and --ca together: --ca (or IPLEDGER_ALLOCATOR_TLS_CA) missing');
  });

  it('takes a TLS server name only with mutual TLS, and only a host name', () => {
    expect(usageError('nodes --tls-server-name allocator.example')).toBe(
      '--tls-server-name is only used with mutual TLS (--cert, --key and --ca)',
    );
    expect(usageError('nodes', { IPLEDGER_ALLOCATOR_TLS_SERVER_NAME: 'allocator.example' })).toBe(
      'IPLEDGER_ALLOCATOR_TLS_SERVER_NAME is only used with mutual TLS (--cert, --key and --ca)',
    );
    expect(usageError('nodes --cert c --key k --ca a --tls-server-name https://x')).toBe(
      '--tls-server-name "https://x" is not a DNS name or IPv4 address',
    );
  });
});

describe('parseCliArgs: mistakes are named', () => {
  it.each([
    ['frobnicate', /unknown command "frobnicate"/],
    ['config validate x', /did you mean "config check <file>"/],
    ['nodes --bogus', /unknown option --bogus/],
    ['nodes --node n1', /"nodes" takes no --node/],
    ['node', /"node" needs an argument/],
    ['node a b', /unexpected argument "b"/],
    ['config check', /"config check" needs an argument/],
    ['allocation', /give one of --ip, --pod/],
    ['allocation --ip 10.0.0.1 --pod a/b', /give only one of --ip, --pod/],
    ['allocation --ip 10.0.0.256', /not an IPv4 address/],
    ['allocation --pod a/b/c', /is not namespace\/name$/],
    ['history --ip 10.0.0.1 --from yesterday', /--from "yesterday" is neither RFC 3339/],
    ['history --ip 10.0.0.1 --from 1h --to 2h', /--from must be earlier than --to/],
    ['history --node', /--node needs a value/],
    ['history --node a --node b', /--node given twice/],
    ['nodes --json=yes', /--json takes no value/],
    ['nodes --allocator 127.0.0.1', /not host:port/],
    ['nodes --timeout forever', /--timeout "forever" is not a duration/],
  ])('%s', (line, message) => {
    expect(usageError(line)).toMatch(message);
  });
});

describe('parsePodSelector', () => {
  it('reads namespace/name and, where allowed, namespace/name/uid', () => {
    expect(parsePodSelector('ns/p', false)).toEqual({ namespace: 'ns', name: 'p', uid: null });
    expect(parsePodSelector('ns/p/u', true)).toEqual({ namespace: 'ns', name: 'p', uid: 'u' });
    expect(() => parsePodSelector('ns/', true)).toThrow(UsageError);
    expect(() => parsePodSelector('p', true)).toThrow(/namespace\/name or namespace\/name\/uid/);
  });
});

describe('readTimeBound', () => {
  it('reads RFC 3339 with an offset, dates and durations ago', () => {
    expect(readTimeBound('from', '2026-11-21T08:30:00+02:00', NOW)).toBe('2026-11-21T06:30:00.000Z');
    expect(readTimeBound('from', '2026-11-21T06:30:00.250Z', NOW)).toBe('2026-11-21T06:30:00.250Z');
    expect(readTimeBound('to', '90m', NOW)).toBe('2026-11-21T10:30:00.000Z');
    expect(readTimeBound('to', null, NOW)).toBeNull();
  });

  it('refuses what Date would guess at', () => {
    expect(() => readTimeBound('from', 'Nov 21 2026', NOW)).toThrow(UsageError);
    expect(() => readTimeBound('from', '2026-11-21T06:30', NOW)).toThrow(UsageError);
  });
});
