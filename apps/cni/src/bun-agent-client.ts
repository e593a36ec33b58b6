// The agent transport on bun's socket API. The executable is a bun program, and loading `node:net` there
// costs about 4 ms of every start, a third of a bare run (docs/cni.md); bun's native sockets cost nothing
// to load. Framing, parsing and the timeout are the shared ones of agent-client.ts.
import { type AgentTransport, ReplyCollector, requestBytes } from './agent-client.js';
import { type BunRuntime, type BunSocket } from './bun-runtime.js';

/** A failed connect carries the errno name (`ENOENT`, `ECONNREFUSED`) that decides "try again later". */
function connectError(err: unknown, socketPath: string): Error {
  const code = (err as { code?: unknown }).code;
  const failure = new Error(`connect ${typeof code === 'string' ? code : 'failed'} ${socketPath}`);
  return Object.assign(failure, { code });
}

export function bunAgentTransport(bun: BunRuntime): AgentTransport {
  return async (socketPath, request, timeoutMs) => {
    let socket: BunSocket | undefined;
    let closed = false;
    const collector = new ReplyCollector(timeoutMs, () => {
      closed = true;
      socket?.terminate();
    });
    let pending = requestBytes(request);
    // Writes what the socket takes now; `drain` calls again with the rest.
    const flush = (target: BunSocket) => {
      if (pending.length === 0) {
        return;
      }
      const written = target.write(pending);
      if (written < 0) {
        collector.error(Object.assign(new Error('the node agent closed the connection'), { code: 'EPIPE' }));
        return;
      }
      pending = pending.subarray(written);
    };
    try {
      socket = await bun.connect({
        unix: socketPath,
        socket: {
          drain: flush,
          data: (_socket, data) => collector.data(data),
          end: () => collector.end(),
          close: (_socket, error) => (error ? collector.error(error) : collector.end()),
          error: (_socket, error) => collector.error(error),
        },
      });
    } catch (err) {
      collector.error(connectError(err, socketPath));
      return collector.reply;
    }
    if (closed) {
      // The timeout fired while connecting.
      socket.terminate();
    } else {
      flush(socket);
    }
    return collector.reply;
  };
}
