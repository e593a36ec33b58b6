// The binary's one request to the node agent: HTTP/1.1 POST over the agent's unix socket, one connection.
// Written on raw sockets rather than an http client because loading bun's `node:http` costs the executable
// about 10-20 ms per start (measured, docs/cni.md), more than the whole exchange; one request and one
// Content-Length or chunked reply from our own server is all this needs to speak. Two transports share the
// framing: `postToAgent` on node:net (Node, tests) and `postToAgentWithBun` on bun's socket API.
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

export function requestBytes(request: CniAgentRequest): Buffer {
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

/**
 * Collects one reply from a socket whatever the runtime: feed it the socket's events, and it settles the
 * promise once (reply, error or timeout) and closes the socket through `close`.
 */
export class ReplyCollector {
  readonly reply: Promise<AgentReply>;
  private received = Buffer.alloc(0);
  private settled = false;
  private readonly timer: NodeJS.Timeout;
  private resolve!: (reply: AgentReply) => void;
  private reject!: (err: Error) => void;

  constructor(
    timeoutMs: number,
    private readonly close: () => void,
  ) {
    this.reply = new Promise<AgentReply>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.timer = setTimeout(
      () =>
        this.settle(() => {
          throw new AgentTimeoutError(timeoutMs);
        }),
      timeoutMs,
    );
  }

  data(chunk: Uint8Array): void {
    this.received = Buffer.concat([this.received, chunk]);
    this.settle(() => parseReply(this.received, false));
  }

  end(): void {
    this.settle(() => parseReply(this.received, true));
  }

  error(err: Error): void {
    this.settle(() => {
      throw err;
    });
  }

  private settle(outcome: () => AgentReply | undefined): void {
    if (this.settled) {
      return;
    }
    try {
      const reply = outcome();
      if (reply === undefined) {
        return;
      }
      this.settled = true;
      this.resolve(reply);
    } catch (err) {
      this.settled = true;
      this.reject(err instanceof Error ? err : new Error(String(err)));
    }
    clearTimeout(this.timer);
    this.close();
  }
}

/**
 * The transport on Node's `node:net`. It is imported when first used, not with this module: the bun
 * executable talks through bun's own socket API (bun-agent-client.ts) and never pays for loading node:net.
 */
export const postToAgent: AgentTransport = async (socketPath, request, timeoutMs) => {
  const { connect } = await import('node:net');
  const socket = connect(socketPath);
  const collector = new ReplyCollector(timeoutMs, () => socket.destroy());
  // Write without half-closing: node's http server drops a request whose client ends its side early.
  socket.on('connect', () => socket.write(requestBytes(request)));
  socket.on('data', (chunk: Buffer) => collector.data(chunk));
  socket.on('end', () => collector.end());
  socket.on('error', (err) => collector.error(err));
  return collector.reply;
};
