import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NATS_SERVER_BINARY = process.env.IPLEDGER_NATS_SERVER ?? '/usr/sbin/nats-server';

export interface NatsServerOptions {
  /** Reuse a store (e.g. to restart a killed server on its data); by default a new temporary directory. */
  storeDir?: string;
  /** Default: a free port. */
  port?: number;
}

export interface NatsServer {
  url: string;
  port: number;
  storeDir: string;
  /** SIGTERM, wait for the exit, then delete the store directory. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit; the store directory stays (restart with `{ storeDir, port }`). */
  kill(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A private nats-server with JetStream, listening on 127.0.0.1 only; resolves once JetStream is ready. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'ipl-nats-'));
  const child = spawn(NATS_SERVER_BINARY, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await waitForJetStream(port, child, 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`nats-server did not start: ${(error as Error).message}\n${log}`, { cause: error });
  }
  const exit = async (signal: NodeJS.Signals) => {
    process.removeListener('exit', killOnExit);
    await terminate(child, signal);
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop: async () => {
      await exit('SIGTERM');
      rmSync(storeDir, { recursive: true, force: true });
    },
    kill: () => exit('SIGKILL'),
  };
}

async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

// The server's first line to a client is `INFO {...}`; it says `"jetstream":true` once JetStream is enabled.
async function waitForJetStream(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`exited with code ${child.exitCode}`);
    }
    const info = await readInfoLine(port).catch(() => null);
    if (info?.includes('"jetstream":true')) {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no JetStream on port ${port} after ${timeoutMs} ms`);
}

function readInfoLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString();
      if (data.includes('\n')) {
        socket.destroy();
        resolve(data.split('\n')[0]);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('closed')));
  });
}
