// The BUILT plugin (bun executable and node launcher), run as a container runtime runs it, against the real
// agent-side socket server with a fake CniHandler (our own port) in this process.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '@ipledger/domain';
import { type CniAgentRequest, type CniResult } from '@ipledger/proto';
import { runCni, type RunCniOutcome } from '@ipledger/testing';
import {
  startCniSocketServer,
  type CniHandler,
  type CniSocketServer,
  type CniStatusReport,
} from '../../node-agent/src/cni-socket/index.js';

const root = resolve(import.meta.dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'ipl-cni-bin-'));
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

/** Records every request; each test sets what the next calls do. */
class FakeHandler implements CniHandler {
  requests: CniAgentRequest[] = [];
  failure: Error | undefined;
  gate: Promise<void> | undefined;
  statusReport: CniStatusReport = { ready: true };
  result: CniResult = {
    cniVersion: 'ignored-by-the-server',
    interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', sandbox: '/var/run/netns/ipl-test' }],
    ips: [{ address: '10.0.1.17/32', gateway: '169.254.1.1', interface: 0 }],
    routes: [{ dst: '0.0.0.0/0', gw: '169.254.1.1' }],
  };

  private async enter(request: CniAgentRequest): Promise<void> {
    this.requests.push(request);
    await this.gate;
    if (this.failure !== undefined) {
      throw this.failure;
    }
  }
  async add(request: CniAgentRequest): Promise<CniResult> {
    await this.enter(request);
    return this.result;
  }
  del = (request: CniAgentRequest) => this.enter(request);
  check = (request: CniAgentRequest) => this.enter(request);
  gc = (request: CniAgentRequest) => this.enter(request);
  async status(request: CniAgentRequest): Promise<CniStatusReport> {
    await this.enter(request);
    return this.statusReport;
  }
}

const quietLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const attachment = {
  CNI_CONTAINERID: 'ctr-1',
  CNI_NETNS: '/var/run/netns/ipl-test',
  CNI_IFNAME: 'eth0',
  CNI_PATH: '/opt/cni/bin',
  CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_UID=0f1e2d3c',
};

function build(out: string, noBun: boolean): string {
  const args = [join(root, 'apps/cni/build.mjs'), '--out', out, ...(noBun ? ['--no-bun'] : [])];
  execFileSync(process.execPath, args, { stdio: 'ignore' });
  return join(out, 'ipledger-cni');
}

const builds: [string, boolean][] = [
  ['bun executable', false],
  ['node launcher', true],
];
const bins = new Map<string, string>();

beforeAll(() => {
  for (const [kind, noBun] of builds) {
    bins.set(kind, build(join(work, kind.replace(' ', '-')), noBun));
  }
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

it('builds a standalone bun executable when bun is installed, not a script', () => {
  const head = readFileSync(bins.get('bun executable')!).subarray(0, 4);
  const bunInstalled = existsSync(join(root, 'node_modules/bun/bin/bun.exe'));
  expect(head.toString('latin1') === '\x7fELF').toBe(bunInstalled);
  expect(readFileSync(bins.get('node launcher')!, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
});

describe.each(builds)('ipledger-cni as a %s', (kind) => {
  const handler = new FakeHandler();
  const socketPath = join(work, `${kind.replace(' ', '-')}-agent`, 'run', 'cni.sock');
  let server: CniSocketServer;

  const conf = (extra: Record<string, unknown> = {}) => ({
    cniVersion: '1.1.0',
    name: 'ipledger',
    type: 'ipledger-cni',
    agentSocket: socketPath,
    ...extra,
  });
  const run = (command: string | undefined, stdin?: object | string, env: Record<string, string | undefined> = {}) =>
    runCni({ bin: bins.get(kind)!, command, stdin, env: { ...attachment, ...env } });
  const expectError = (outcome: RunCniOutcome, code: number, msg?: RegExp) => {
    expect(outcome.code).not.toBe(0);
    expect(outcome.json).toMatchObject({ code });
    if (msg) {
      expect((outcome.json as { msg: string }).msg).toMatch(msg);
    }
    expect(outcome.stderr).toContain('"level":"error"');
  };

  beforeAll(async () => {
    server = await startCniSocketServer({ path: socketPath, handler, logger: quietLogger });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    handler.requests = [];
    handler.failure = undefined;
    handler.gate = undefined;
    handler.statusReport = { ready: true };
  });

  it('answers VERSION without reading the agent, echoing the runtime cniVersion', async () => {
    const plain = await run('VERSION', '', {});
    expect(plain.code).toBe(0);
    expect(plain.json).toEqual({ cniVersion: '1.1.0', supportedVersions: ['1.0.0', '1.1.0'] });
    const given = await run('VERSION', { cniVersion: '1.0.0' });
    expect(given.json).toEqual({ cniVersion: '1.0.0', supportedVersions: ['1.0.0', '1.1.0'] });
    expect(handler.requests).toHaveLength(0);
  });

  describe.each(['1.0.0', '1.1.0'])('with cniVersion %s', (cniVersion) => {
    it('ADD sends one request with env, args and a traceparent, and prints the result in that version', async () => {
      const outcome = await run('ADD', conf({ cniVersion }));
      expect(outcome.code).toBe(0);
      expect(outcome.stderr).toBe('');
      expect(outcome.json).toEqual({ ...handler.result, cniVersion });
      expect(handler.requests).toHaveLength(1);
      const [request] = handler.requests;
      expect(request).toMatchObject({
        command: 'ADD',
        containerId: 'ctr-1',
        netns: '/var/run/netns/ipl-test',
        ifName: 'eth0',
        args: { K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: 'web-0', K8S_POD_UID: '0f1e2d3c' },
        netconf: { cniVersion, name: 'ipledger', agentSocket: socketPath },
      });
      expect(request.traceparent).toMatch(TRACEPARENT);
    });

    it('DEL succeeds with no output, also without CNI_NETNS', async () => {
      const outcome = await run('DEL', conf({ cniVersion }), { CNI_NETNS: undefined });
      expect(outcome).toMatchObject({ code: 0, stdout: '' });
      expect(handler.requests[0]).toMatchObject({ command: 'DEL', netns: '', containerId: 'ctr-1' });
    });

    it('CHECK passes prevResult to the agent and prints nothing on success', async () => {
      const prevResult = { ...handler.result, cniVersion };
      const outcome = await run('CHECK', conf({ cniVersion, prevResult }));
      expect(outcome).toMatchObject({ code: 0, stdout: '' });
      expect(handler.requests[0]?.netconf.prevResult).toEqual(prevResult);
    });

    it('refuses a config version it does not speak with code 1', async () => {
      const outcome = await run('ADD', conf({ cniVersion: '0.4.0' }));
      expectError(outcome, 1);
      expect((outcome.json as { details: string }).details).toContain('"1.0.0","1.1.0"');
      expect(handler.requests).toHaveLength(0);
    });
  });

  it('ADD in a chain passes the previous result through in front of its own', async () => {
    const prevResult = {
      cniVersion: '1.1.0',
      interfaces: [{ name: 'lo-prev' }],
      ips: [{ address: '192.0.2.5/24', interface: 0 }],
      dns: { nameservers: ['192.0.2.53'] },
    };
    const outcome = await run('ADD', conf({ prevResult }));
    expect(outcome.json).toEqual({
      cniVersion: '1.1.0',
      interfaces: [{ name: 'lo-prev' }, ...handler.result.interfaces!],
      ips: [prevResult.ips[0], { ...handler.result.ips![0], interface: 1 }],
      routes: handler.result.routes,
      dns: prevResult.dns,
    });
  });

  it('DEL of something already gone succeeds (idempotent)', async () => {
    handler.failure = new DomainError('not-found', 'no allocation for ctr-1');
    const outcome = await run('DEL', conf());
    expect(outcome).toMatchObject({ code: 0, stdout: '' });
  });

  it('CHECK without prevResult is an invalid config naming prevResult', async () => {
    expectError(await run('CHECK', conf()), 7, /prevResult/);
    expect(handler.requests).toHaveLength(0);
  });

  it('STATUS (1.1.0) succeeds when ready, answers 50 or 51 when not', async () => {
    expect(await run('STATUS', conf(), { CNI_CONTAINERID: undefined, CNI_IFNAME: undefined })).toMatchObject({
      code: 0,
      stdout: '',
    });
    handler.statusReport = { ready: false, reason: 'node not registered yet' };
    const down = await run('STATUS', conf());
    expectError(down, 50);
    expect(down.json).toMatchObject({ cniVersion: '1.1.0', details: 'node not registered yet' });
    handler.statusReport = { ready: false, reason: 'dataplane stale', limitedConnectivity: true };
    expectError(await run('STATUS', conf()), 51);
  });

  it('GC (1.1.0) hands the valid attachments to the agent', async () => {
    const valid = [{ containerID: 'ctr-1', ifname: 'eth0' }];
    const outcome = await run('GC', conf({ 'cni.dev/valid-attachments': valid }), { CNI_CONTAINERID: undefined });
    expect(outcome).toMatchObject({ code: 0, stdout: '' });
    expect(handler.requests[0]).toMatchObject({ command: 'GC', containerId: '' });
    expect(handler.requests[0]?.netconf['cni.dev/valid-attachments']).toEqual(valid);
  });

  it('GC on a busy node sends a request far larger than one socket write, whole', async () => {
    // About 700 KiB: more than a unix socket takes in one write, so the rest must follow on `drain`.
    const valid = Array.from({ length: 10_000 }, (_, i) => ({
      containerID: `ctr-${i}-${'f'.repeat(40)}`,
      ifname: 'eth0',
    }));
    const outcome = await run('GC', conf({ 'cni.dev/valid-attachments': valid }), { CNI_CONTAINERID: undefined });
    expect(outcome).toMatchObject({ code: 0, stdout: '' });
    expect(handler.requests[0]?.netconf['cni.dev/valid-attachments']).toEqual(valid);
  });
  it('GC without the valid-attachments list is refused rather than collecting everything', async () => {
    expectError(await run('GC', conf()), 7, /cni\.dev\/valid-attachments/);
    expect(handler.requests).toHaveLength(0);
  });

  it.each(['STATUS', 'GC'])('%s with a 1.0.0 config answers code 1 (a 1.1.0 command)', async (command) => {
    const outcome = await run(command, conf({ cniVersion: '1.0.0', 'cni.dev/valid-attachments': [] }));
    expectError(outcome, 1, new RegExp(`does not allow ${command}`));
    expect(outcome.json).toMatchObject({ cniVersion: '1.0.0' });
  });

  it.each([
    ['no CNI_COMMAND', undefined, {}, /CNI_COMMAND/],
    ['an unknown CNI_COMMAND', 'UPDATE', {}, /CNI_COMMAND: unknown command "UPDATE"/],
    ['ADD without netns and ifname', 'ADD', { CNI_NETNS: undefined, CNI_IFNAME: undefined }, /CNI_NETNS, CNI_IFNAME/],
    ['an interface name of 16 bytes', 'ADD', { CNI_IFNAME: 'eth0123456789abc' }, /CNI_IFNAME: .*15 bytes/],
    ['a container id starting with "-"', 'DEL', { CNI_CONTAINERID: '-x' }, /CNI_CONTAINERID/],
    ['a relative netns path', 'CHECK', { CNI_NETNS: 'netns/x' }, /CNI_NETNS: .*absolute/],
    ['CNI_ARGS that are not KEY=VALUE', 'ADD', { CNI_ARGS: 'K8S_POD_NAME' }, /CNI_ARGS/],
  ])('refuses %s with code 4 naming the variable', async (_case, command, env, msg) => {
    expectError(await run(command, conf(), env), 4, msg);
    expect(handler.requests).toHaveLength(0);
  });

  it.each([
    ['stdin that is not JSON', 6, '{"cniVersion":', /stdin/],
    ['an empty stdin', 6, '', /stdin/],
    ['a config without a name', 7, { cniVersion: '1.1.0', type: 'ipledger-cni' }, /^name: /],
    ['an MTU of 20', 7, { mtu: 20 }, /^mtu: /],
    ['a relative agentSocket', 7, { agentSocket: 'cni.sock' }, /^agentSocket: /],
    ['a rate without burst', 7, { runtimeConfig: { bandwidth: { ingressRate: 1000 } } }, /ingressBurst/],
    ['a config without cniVersion', 7, { cniVersion: undefined }, /^cniVersion: /],
  ])('refuses %s with code %i naming the field', async (_case, code, stdin, msg) => {
    const config = typeof stdin === 'string' || 'type' in stdin ? stdin : conf(stdin);
    expectError(await run('ADD', config), code, msg);
    expect(handler.requests).toHaveLength(0);
  });

  it('answers 11 with the socket path when no agent listens (50 for STATUS)', async () => {
    const missing = join(work, 'no-agent', 'cni.sock');
    const add = await run('ADD', conf({ agentSocket: missing }));
    expectError(add, 11, /try again later/);
    expect((add.json as { details: string }).details).toContain(missing);
    expectError(await run('STATUS', conf({ agentSocket: missing })), 50);
  });

  it('answers 11 when the agent does not reply within agentTimeoutSeconds', async () => {
    let release!: () => void;
    handler.gate = new Promise((done) => (release = done));
    const outcome = await run('ADD', conf({ agentTimeoutSeconds: 0.3 }), { CNI_CONTAINERID: 'ctr-slow' });
    release();
    expectError(outcome, 11);
    expect((outcome.json as { details: string }).details).toMatch(/no reply .* within 300 ms/);
  });

  it.each([
    ['resource-exhausted', 100, new DomainError('resource-exhausted', 'no IP left', { reason: 'vswitch-full' })],
    ['unavailable', 11, new DomainError('unavailable', 'cloud throttled')],
    ['failed-precondition', 11, new DomainError('failed-precondition', 'node not registered')],
    ['invalid-argument on netns', 4, new DomainError('invalid-argument', 'netns: gone', { field: 'netns' })],
    ['invalid-argument on mtu', 7, new DomainError('invalid-argument', 'mtu: too big', { field: 'mtu' })],
    ['not-found on ADD', 3, new DomainError('not-found', 'no such pod')],
  ])('maps a handler %s to code %i', async (_case, code, failure) => {
    handler.failure = failure;
    const outcome = await run('ADD', conf());
    expectError(outcome, code);
    expect(outcome.json).toMatchObject({ cniVersion: '1.1.0', msg: (failure as Error).message });
  });

  it('maps an unexpected handler error to 999 with its message and no stack trace', async () => {
    handler.failure = new Error('netlink: device busy');
    const outcome = await run('ADD', conf());
    expectError(outcome, 999);
    expect(outcome.json).toEqual({ cniVersion: '1.1.0', code: 999, msg: 'netlink: device busy' });
    expect(outcome.stdout).not.toMatch(/\bat .*\.[jt]s:\d+/);
  });

  it('refuses a second concurrent request for the same container', async () => {
    let release!: () => void;
    handler.gate = new Promise((done) => (release = done));
    const first = run('ADD', conf(), { CNI_CONTAINERID: 'ctr-busy' });
    await expect.poll(() => handler.requests.length).toBe(1);
    const second = await run('DEL', conf(), { CNI_CONTAINERID: 'ctr-busy' });
    expectError(second, 11, /ctr-busy is in progress/);
    const other = run('DEL', conf(), { CNI_CONTAINERID: 'ctr-other' });
    await expect.poll(() => handler.requests.length).toBe(2);
    release();
    expect((await first).code).toBe(0);
    expect((await other).code).toBe(0);
  });
});

describe('the agent socket', () => {
  it('is created 0600 in a directory created 0700', async () => {
    const dir = join(work, 'mode-check', 'ipledger');
    const path = join(dir, 'cni.sock');
    const server = await startCniSocketServer({ path, handler: new FakeHandler(), logger: quietLogger });
    try {
      expect(statSync(path).isSocket()).toBe(true);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    } finally {
      await server.close();
    }
  });
});
