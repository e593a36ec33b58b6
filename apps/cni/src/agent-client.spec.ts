import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type CniAgentRequest } from '@ipledger/proto';
import { parseReply, postToAgent } from './agent-client.js';

const work = mkdtempSync(join(tmpdir(), 'ipl-cni-client-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const request: CniAgentRequest = {
  command: 'DEL',
  containerId: 'c1',
  netns: '',
  ifName: 'eth0',
  args: {},
  netconf: { cniVersion: '1.1.0', name: 'n', type: 't', note: 'ünïcode' },
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
};

describe('postToAgent against a node:http server', () => {
  let server: Server | undefined;
  let path = '';
  afterEach(async () => {
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    server = undefined;
  });

  async function serve(listener: RequestListener): Promise<void> {
    path = join(work, `${Math.random().toString(16).slice(2)}.sock`);
    server = createServer(listener);
    await new Promise<void>((done) => server!.listen(path, done));
  }

  it('sends one POST with the JSON body and traceparent, and reads a Content-Length reply', async () => {
    let seen: { method?: string; url?: string; traceparent?: string; body?: string } = {};
    await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const traceparent = req.headers.traceparent as string;
        seen = { method: req.method, url: req.url, traceparent, body: Buffer.concat(chunks).toString() };
        const body = '{"ok":"é"}';
        res.writeHead(201, { 'content-length': Buffer.byteLength(body) }).end(body);
      });
    });
    const reply = await postToAgent(path, request, 5000);
    expect(reply).toEqual({ status: 201, body: '{"ok":"é"}' });
    expect(seen).toMatchObject({ method: 'POST', url: '/v1/cni', traceparent: request.traceparent });
    expect(JSON.parse(seen.body!)).toEqual(request);
  });

  it('reads a chunked reply', async () => {
    await serve((req, res) => {
      req.resume();
      req.on('end', () => {
        res.write('{"cniVersion":');
        res.end('"1.1.0"}');
      });
    });
    expect(await postToAgent(path, request, 5000)).toEqual({ status: 200, body: '{"cniVersion":"1.1.0"}' });
  });

  it('rejects with ECONNRESET when the agent drops the connection without a reply', async () => {
    await serve((req) => req.socket.destroy());
    await expect(postToAgent(path, request, 5000)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('rejects with ETIMEDOUT when the agent never answers', async () => {
    await serve(() => undefined);
    await expect(postToAgent(path, request, 200)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('rejects with ENOENT when there is no socket', async () => {
    await expect(postToAgent(join(work, 'none.sock'), request, 1000)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('parseReply', () => {
  const bytes = (text: string) => Buffer.from(text, 'latin1');

  it('waits for the whole Content-Length body', () => {
    expect(parseReply(bytes('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{}'), false)).toBeUndefined();
    expect(parseReply(bytes('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}'), false)).toEqual({
      status: 200,
      body: '{}',
    });
  });

  it('treats a connection closed early as a reset', () => {
    expect(() => parseReply(bytes('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{}'), true)).toThrow(
      expect.objectContaining({ code: 'ECONNRESET' }),
    );
    expect(() => parseReply(bytes('HTTP/1.1 20'), true)).toThrow(expect.objectContaining({ code: 'ECONNRESET' }));
  });

  it('refuses what is not HTTP/1.x', () => {
    expect(() => parseReply(bytes('SSH-2.0-OpenSSH\r\n\r\n'), false)).toThrow(
      expect.objectContaining({ code: 'EPROTO' }),
    );
  });

  it('reads an unframed body up to the close', () => {
    expect(parseReply(bytes('HTTP/1.0 503 Busy\r\n\r\n{"code":11}'), true)).toEqual({
      status: 503,
      body: '{"code":11}',
    });
  });
});
