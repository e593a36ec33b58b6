// The node agent's end of the CNI protocol: plain node:http on a private unix socket, POST /v1/cni only.
// Validates each CniAgentRequest, calls the CniHandler, and answers with the CNI result or error JSON.
// Requests for different containers run concurrently; a second request for a container that already has one
// in flight is refused (the runtime must not do that, so it is a runtime bug worth surfacing).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  CNI_AGENT_PATH,
  CNI_SPEC_VERSIONS,
  CniErrorCode,
  checkAgentRequest,
  type CniAgentRequest,
} from '@ipledger/proto';
import { finalizeAddResult } from './cni-add-result.js';
import { errorReply, mapHandlerError, problemReply, type CniErrorReply } from './cni-error.mapper.js';
import { type CniHandler } from './cni-handler.port.js';
import { listenPrivately, preparePrivateSocketPath } from './private-unix-socket.js';

export interface CniSocketLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface CniSocketServerOptions {
  /** Socket path, e.g. DEFAULT_CNI_SOCKET (/run/ipledger/cni.sock). */
  path: string;
  handler: CniHandler;
  logger: CniSocketLogger;
  /** Largest request body accepted (default 1 MiB). */
  maxBodyBytes?: number;
}

export interface CniSocketServer {
  readonly path: string;
  /** Stops accepting, waits for requests in flight, removes the socket file. */
  close(): Promise<void>;
}

interface Reply {
  httpStatus: number;
  body: object;
}

const FALLBACK_VERSION = CNI_SPEC_VERSIONS[CNI_SPEC_VERSIONS.length - 1];

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Keep the connection for the 413 reply: stop collecting and let the rest drain unread.
        req.off('data', collect);
        req.resume();
        reject(new BodyTooLargeError(`request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', collect);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The version to answer in before the request is validated: the config's, when it is one we speak. */
function versionOf(raw: unknown): string {
  const version = (raw as { netconf?: { cniVersion?: unknown } } | null)?.netconf?.cniVersion;
  return (CNI_SPEC_VERSIONS as readonly unknown[]).includes(version) ? (version as string) : FALLBACK_VERSION;
}

function send(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.httpStatus, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const ok = (body: object): Reply => ({ httpStatus: 200, body });

export async function startCniSocketServer(options: CniSocketServerOptions): Promise<CniSocketServer> {
  const { path, handler, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const inFlight = new Set<string>();

  async function dispatch(request: CniAgentRequest): Promise<Reply> {
    const { command, netconf } = request;
    switch (command) {
      case 'ADD':
        return ok(finalizeAddResult(netconf, await handler.add(request)));
      case 'DEL':
        await handler.del(request);
        return ok({});
      case 'CHECK':
        await handler.check(request);
        return ok({});
      case 'GC':
        await handler.gc(request);
        return ok({});
      case 'STATUS': {
        const report = await handler.status(request);
        if (report.ready) {
          return ok({});
        }
        const code = report.limitedConnectivity
          ? CniErrorCode.LimitedConnectivityNoService
          : CniErrorCode.PluginNotAvailable;
        return errorReply(netconf.cniVersion, code, 'node agent not ready for ADD', report.reason);
      }
      default: {
        const _never: never = command;
        throw new Error(`unhandled command ${String(_never)}`);
      }
    }
  }

  async function serveValid(request: CniAgentRequest): Promise<Reply> {
    const key = request.containerId;
    if (key !== '' && inFlight.has(key)) {
      const msg = `another CNI request for container ${key} is in progress`;
      return errorReply(
        request.netconf.cniVersion,
        CniErrorCode.TryAgainLater,
        msg,
        'the runtime must not overlap operations on one container',
      );
    }
    if (key !== '') {
      inFlight.add(key);
    }
    try {
      return await dispatch(request);
    } catch (err) {
      const mapped = mapHandlerError(err, request.command, request.netconf.cniVersion);
      logFailure(request, err, mapped);
      return mapped ?? ok({});
    } finally {
      if (key !== '') {
        inFlight.delete(key);
      }
    }
  }

  function logFailure(request: CniAgentRequest, err: unknown, mapped: CniErrorReply | undefined): void {
    const fields = {
      command: request.command,
      containerId: request.containerId,
      traceparent: request.traceparent,
      code: mapped?.body.code,
      error: err instanceof Error ? err.message : String(err),
    };
    if (mapped?.body.code === CniErrorCode.Internal) {
      logger.error('CNI request failed unexpectedly', { ...fields, stack: (err as Error | undefined)?.stack });
    } else {
      logger.warn(mapped ? 'CNI request refused' : 'CNI request found nothing to remove', fields);
    }
  }

  async function serve(req: IncomingMessage): Promise<Reply> {
    if (req.url !== CNI_AGENT_PATH || req.method !== 'POST') {
      const reply = errorReply(FALLBACK_VERSION, CniErrorCode.Internal, `no such endpoint: ${req.method} ${req.url}`);
      return { ...reply, httpStatus: req.url === CNI_AGENT_PATH ? 405 : 404 };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(await readBody(req, maxBodyBytes));
    } catch (err) {
      const tooLarge = err instanceof BodyTooLargeError;
      const reply = errorReply(FALLBACK_VERSION, CniErrorCode.DecodeFailure, `body: ${(err as Error).message}`);
      return tooLarge ? { ...reply, httpStatus: 413 } : reply;
    }
    const checked = checkAgentRequest(raw);
    if (!checked.ok) {
      return problemReply(versionOf(raw), checked.problem);
    }
    const started = performance.now();
    const reply = await serveValid(checked.value);
    const { command, containerId, traceparent } = checked.value;
    const ms = Math.round(performance.now() - started);
    logger.info('CNI request served', { command, containerId, traceparent, status: reply.httpStatus, ms });
    return reply;
  }

  const server = createServer((req, res) => {
    serve(req).then(
      (reply) => send(res, reply),
      (err: unknown) => {
        logger.error('CNI socket request crashed', { error: String(err), stack: (err as Error | undefined)?.stack });
        send(res, errorReply(FALLBACK_VERSION, CniErrorCode.Internal, 'internal error in the node agent'));
      },
    );
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await preparePrivateSocketPath(path);
  await listenPrivately(server, path);
  logger.info('CNI socket listening', { path });

  return {
    path,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
