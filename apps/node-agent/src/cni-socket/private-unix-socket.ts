// A unix socket only root can use: parent directory 0700 when we create it, socket file 0600 from the moment
// it exists. The socket is created by bind(2) inside server.listen(), which runs synchronously, so a umask
// set just around that call leaves no moment at which the file has a wider mode.
import { chmodSync, lstatSync, mkdirSync, unlinkSync, type Stats } from 'node:fs';
import { type Server } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';

export const SOCKET_MODE = 0o600;
export const SOCKET_DIR_MODE = 0o700;

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw err;
  }
}

/** Resolves true when something accepts connections on the socket. */
function isServing(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** Creates the parent directory (0700) if missing and removes a stale socket left by a previous agent. */
export async function preparePrivateSocketPath(path: string): Promise<void> {
  const created = mkdirSync(dirname(path), { recursive: true, mode: SOCKET_DIR_MODE });
  if (created !== undefined) {
    chmodSync(dirname(path), SOCKET_DIR_MODE);
  }
  const existing = lstatOrUndefined(path);
  if (!existing) {
    return;
  }
  if (!existing.isSocket()) {
    throw new Error(`${path} exists and is not a socket; refusing to replace it`);
  }
  if (await isServing(path)) {
    throw new Error(`another process is serving ${path}`);
  }
  unlinkSync(path);
}

/**
 * Listens on `path` with the socket created as 0600. Closing the server unlinks the file (libuv does that
 * for a socket it bound), so there is nothing to clean up by hand.
 */
export function listenPrivately(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    const previous = process.umask(0o777 & ~SOCKET_MODE);
    try {
      server.listen(path, () => {
        server.off('error', onError);
        // Only a platform that binds asynchronously would get here with another mode; fix it rather than trust it.
        if ((lstatSync(path).mode & 0o777) !== SOCKET_MODE) {
          chmodSync(path, SOCKET_MODE);
        }
        resolve();
      });
    } finally {
      process.umask(previous);
    }
  });
}
