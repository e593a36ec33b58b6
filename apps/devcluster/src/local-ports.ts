// Ports of the dev cluster: the well-known ones when they are free (so that `npm run -s ipledger -- nodes`
// works without --allocator), any free one otherwise (a second cluster, a test run next to a dev run).
import { createServer } from 'node:net';

export const PREFERRED_PORTS = { allocator: 50051, metrics: 9464, ecsSim: 18080 } as const;

/** `preferred` when nothing listens on 127.0.0.1:`preferred`, else a port the OS picks. */
export async function portOrFree(preferred: number): Promise<number> {
  return (await tryListen(preferred)) ?? (await tryListen(0)) ?? Promise.reject(new Error('no free port'));
}

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : null));
    });
  });
}
