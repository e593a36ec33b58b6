// The binary's one request to the node agent: HTTP/1.1 POST over the agent's unix socket, one connection.
// Written on node:net rather than node:http because loading the http client costs the bun executable about
// 10-20 ms per start (measured, docs/cni.md), more than the whole exchange; one request and one
// Content-Length or chunked reply from our own server is all this needs to speak.
import { connect } from 'node:net';
import { CNI_AGENT_PATH, type CniAgentRequest } from '@ipledger/proto';

export interface AgentReply {
  status: number;
  body: string;
}

/** Sends one request and resolves with the reply; rejects with the socket error or an AgentTimeoutError. */
export type AgentTransport = (socketPath: string, request: CniAgentRequest, timeoutMs: number) => Promise<AgentReply>;

export class AgentTimeoutError extends Error {
  override name = 'AgentTimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`no reply from the node agent within ${timeoutMs} ms`);
  }
}

/** The agent's reply was not HTTP we understand (EPROTO), or stopped before it was complete (ECONNRESET). */
export class AgentReplyError extends Error {
  override name = 'AgentReplyError';
  constructor(
    readonly code: 'EPROTO' | 'ECONNRESET',
    message: string,
  ) {
    super(message);
  }
}

function requestBytes(request: CniAgentRequest): Buffer {
  const payload = Buffer.from(JSON.stringify(request), 'utf8');
  const head = [
    `POST ${CNI_AGENT_PATH} HTTP/1.1`,
    'Host: ipledger-agent',
    'Content-Type: application/json',
    `Content-Length: ${payload.length}`,
    'Connection: close',
  ];
  if (request.traceparent) {
    head.push(`traceparent: ${request.traceparent}`);
  }
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = lineEnd < 0 ? NaN : parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size) || lineEnd + 2 + size > body.length) {
      throw new AgentReplyError('ECONNRESET', 'the node agent closed the connection inside a chunked reply');
    }
    if (size === 0) {
      return Buffer.concat(parts);
    }
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** The reply once complete, undefined while more is to come; `ended` once the agent closed the connection. */
export function parseReply(raw: Buffer, ended: boolean): AgentReply | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) {
    if (ended) {
      throw new AgentReplyError('ECONNRESET', 'the node agent closed the connection before replying');
    }
    return undefined;
  }
  const head = raw.subarray(0, headEnd).toString('latin1');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
  if (status === undefined) {
    throw new AgentReplyError('EPROTO', `the node agent did not answer in HTTP/1.1: ${head.slice(0, 80)}`);
  }
  const body = raw.subarray(headEnd + 4);
  const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head)?.[1];
  if (length !== undefined) {
    if (body.length >= Number(length)) {
      return { status: Number(status), body: body.subarray(0, Number(length)).toString('utf8') };
    }
    if (ended) {
      throw new AgentReplyError('ECONNRESET', 'the node agent closed the connection before the reply was complete');
    }
    return undefined;
  }
  if (!ended) {
    return undefined;
  }
  const chunked = /\r\ntransfer-encoding:[ \t]*chunked/i.test(head);
  return { status: Number(status), body: (chunked ? dechunk(body) : body).toString('utf8') };
}

export const postToAgent: AgentTransport = (socketPath, request, timeoutMs) =>
  new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let received = Buffer.alloc(0);
    let settled = false;
    const settle = (outcome: () => AgentReply | undefined) => {
      if (settled) {
        return;
      }
      try {
        const reply = outcome();
        if (reply === undefined) {
          return;
        }
        settled = true;
        resolve(reply);
      } catch (err) {
        settled = true;
        reject(err instanceof Error ? err : new Error(String(err)));
      }
      clearTimeout(timer);
      socket.destroy();
    };
    const timer = setTimeout(
      () =>
        settle(() => {
          throw new AgentTimeoutError(timeoutMs);
        }),
      timeoutMs,
    );
    // Write without half-closing: node's http server drops a request whose client ends its side early.
    socket.on('connect', () => socket.write(requestBytes(request)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      settle(() => parseReply(received, false));
    });
    socket.on('end', () => settle(() => parseReply(received, true)));
    socket.on('error', (err) =>
      settle(() => {
        throw err;
      }),
    );
  });
