// The binary's one request to the node agent: HTTP/1.1 POST over the agent's unix socket, one connection,
// closed after the reply.
import { request as httpRequest } from 'node:http';
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

export const postToAgent: AgentTransport = (socketPath, request, timeoutMs) =>
  new Promise((resolve, reject) => {
    const payload = JSON.stringify(request);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      connection: 'close',
    };
    if (request.traceparent) {
      headers.traceparent = request.traceparent;
    }
    const req = httpRequest({ socketPath, method: 'POST', path: CNI_AGENT_PATH, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    const timer = setTimeout(() => req.destroy(new AgentTimeoutError(timeoutMs)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(payload);
  });
