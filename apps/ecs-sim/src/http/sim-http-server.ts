import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { routeAdmin } from '../admin/admin-router.js';
import { type EcsSimAdmin } from '../admin/ecs-sim-admin.js';
import { type OpenApiDispatcher } from './openapi-dispatcher.js';
import { RequestParams } from './request-params.js';

const MAX_BODY_BYTES = 1 << 20;

/**
 * One port for both faces of ecs-sim: `/admin/...` is JSON over HTTP for tests and operators; every other
 * request is an ECS OpenAPI call, whose action comes from the `Action` query parameter (signature v2) or the
 * `x-acs-action` header (v3). Signatures are not checked.
 */
export class SimHttpServer {
  private readonly server: Server;

  constructor(
    private readonly dispatcher: OpenApiDispatcher,
    private readonly admin: EcsSimAdmin,
    private readonly log: (line: string) => void,
  ) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.log(`request failed: ${String(error)}`);
        send(res, 500, { Code: 'InternalError', Message: 'ecs-sim failed to answer.' });
      });
    });
    this.server.keepAliveTimeout = 30_000;
  }

  listen(host: string, port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        resolve(`${host.includes(':') ? `[${host}]` : host}:${address.port}`);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://ecs-sim');
    const body = await readBody(req);
    if (url.pathname === '/admin' || url.pathname.startsWith('/admin/')) {
      const json = body.length > 0 ? parseJson(body) : undefined;
      const answer =
        json instanceof Error
          ? { status: 400, body: { error: `invalid JSON: ${json.message}` } }
          : await routeAdmin(this.admin, req.method ?? 'GET', url.pathname, json);
      send(res, answer.status, answer.body);
      return;
    }
    const params = RequestParams.parse(url.searchParams, body, req.headers['content-type']);
    const header = req.headers['x-acs-action'];
    const action = params.string('Action') ?? (typeof header === 'string' ? header : undefined);
    const result = await this.dispatcher.dispatch(action, params);
    send(res, result.status, result.body);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    return;
  }
  if (status === 204) {
    res.writeHead(204).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
