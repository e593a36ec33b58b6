import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CniAgentRequest } from '@ipledger/proto';
import { type CniHandler } from './cni-handler.port.js';
import { startCniSocketServer, type CniSocketServer } from './cni-socket.server.js';

const work = mkdtempSync(join(tmpdir(), 'ipl-cni-sock-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface LogEntry {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

function recordingLogger() {
  const entries: LogEntry[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void entries.push({ level, message, fields });
  return { entries, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

/** A handler (our own port) whose every method records the request, and ADD fails when asked to. */
function handler(seen: CniAgentRequest[] = [], addFailure?: Error): CniHandler {
  const record = (req: CniAgentRequest) => void seen.push(req);
  return {
    add: (req) => {
      record(req);
      return addFailure ? Promise.reject(addFailure) : Promise.resolve({ cniVersion: 'x', ips: [] });
    },
    del: (req) => Promise.resolve(record(req)),
    check: (req) => Promise.resolve(record(req)),
    gc: (req) => Promise.resolve(record(req)),
    status: (req) => Promise.resolve((record(req), { ready: true as const })),
  };
}

function post(socketPath: string, body: string, path = '/v1/cni', method = 'POST') {
  return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ socketPath, path, method, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          json: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A process killed with SIGKILL leaves its socket file behind, with nobody listening on it. */
async function leaveStaleSocket(path: string): Promise<void> {
  const script = `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const valid = {
  command: 'ADD',
  containerId: 'ctr-9',
  netns: '/run/netns/p9',
  ifName: 'eth0',
  args: { K8S_POD_NAME: 'p9' },
  netconf: { cniVersion: '1.0.0', name: 'ipledger', type: 'ipledger-cni' },
};

describe('startCniSocketServer', () => {
  const path = join(work, 'main', 'cni.sock');
  const seen: CniAgentRequest[] = [];
  const log = recordingLogger();
  let server: CniSocketServer;

  beforeAll(async () => {
    server = await startCniSocketServer({
      path,
      handler: handler(seen, new Error('kernel said no')),
      logger: log.logger,
      maxBodyBytes: 4096,
    });
  });
  afterAll(() => server.close());

  it('answers unknown endpoints and methods with CNI error JSON', async () => {
    expect(await post(path, '{}', '/v1/other')).toMatchObject({ status: 404, json: { code: 999 } });
    expect(await post(path, '', '/v1/cni', 'GET')).toMatchObject({ status: 405, json: { code: 999 } });
  });

  it.each([
    ['not JSON', '{', 400, 6, /^body: /],
    ['too large', JSON.stringify({ ...valid, pad: 'x'.repeat(5000) }), 413, 6, /larger than 4096 bytes/],
    ['an unknown command', JSON.stringify({ ...valid, command: 'UPDATE' }), 400, 4, /^command: /],
    ['no netconf', JSON.stringify({ ...valid, netconf: undefined }), 400, 7, /^netconf: /],
    ['a bad ifName', JSON.stringify({ ...valid, ifName: '' }), 400, 4, /^ifName: /],
    [
      'a 0.4.0 netconf',
      JSON.stringify({ ...valid, netconf: { ...valid.netconf, cniVersion: '0.4.0' } }),
      400,
      1,
      /incompatible/,
    ],
  ])('refuses a body that is %s', async (_case, body, status, code, msg) => {
    const reply = await post(path, body);
    expect(reply).toMatchObject({ status, json: { code } });
    expect(reply.json.msg).toMatch(msg);
  });

  it('answers errors in the netconf version once it is known', async () => {
    const reply = await post(path, JSON.stringify({ ...valid, containerId: '' }));
    expect(reply.json).toMatchObject({ cniVersion: '1.0.0', code: 4 });
  });

  it('drops an invalid traceparent and keeps a valid one', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await post(path, JSON.stringify({ ...valid, command: 'DEL', traceparent: 'garbage' }));
    await post(path, JSON.stringify({ ...valid, command: 'DEL', traceparent }));
    expect(seen.slice(-2).map((req) => req.traceparent)).toEqual([undefined, traceparent]);
  });

  it('logs an unexpected failure with its stack but answers with the message only', async () => {
    const reply = await post(path, JSON.stringify(valid));
    expect(reply).toEqual({ status: 500, json: { cniVersion: '1.0.0', code: 999, msg: 'kernel said no' } });
    const logged = log.entries.find((entry) => entry.level === 'error');
    expect(logged?.fields).toMatchObject({ command: 'ADD', containerId: 'ctr-9', code: 999 });
    expect(String(logged?.fields?.stack)).toContain('kernel said no');
  });
});

describe('the socket file', () => {
  const quiet = recordingLogger().logger;
  let path: string;
  afterEach(() => rmSync(join(path, '..'), { recursive: true, force: true }));

  it('replaces a stale socket left by a dead agent and removes its own on close', async () => {
    path = join(work, 'stale', 'cni.sock');
    mkdirSync(join(path, '..'));
    await leaveStaleSocket(path);
    expect(lstatSync(path).isSocket()).toBe(true);
    const server = await startCniSocketServer({ path, handler: handler(), logger: quiet });
    expect((await post(path, JSON.stringify({ ...valid, command: 'DEL' }))).status).toBe(200);
    await server.close();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses to replace a file that is not a socket', async () => {
    path = join(work, 'regular', 'cni.sock');
    mkdirSync(join(path, '..'));
    writeFileSync(path, 'not a socket');
    await expect(startCniSocketServer({ path, handler: handler(), logger: quiet })).rejects.toThrow(/not a socket/);
  });

  it('refuses to take over a socket another agent is serving', async () => {
    path = join(work, 'live', 'cni.sock');
    const first = await startCniSocketServer({ path, handler: handler(), logger: quiet });
    try {
      await expect(startCniSocketServer({ path, handler: handler(), logger: quiet })).rejects.toThrow(/serving/);
    } finally {
      await first.close();
    }
  });
});
