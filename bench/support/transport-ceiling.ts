// Starts and stops the transport ceiling's server (transport-ceiling.server.ts) as a child process of the
// benchmark: a process of its own, as the allocator is, so that it competes for the cores the same way.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { withTimeout } from './deadline.js';

export class TransportCeilingServer {
  private readonly exited: Promise<void>;
  private readonly killOnExit = () => this.child.kill('SIGKILL');

  private constructor(
    private readonly child: ChildProcess,
    readonly address: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    process.once('exit', this.killOnExit);
  }

  /** Spawns the server (next to this module in the build) and waits until it listens. */
  static async start(timeoutMs = 15_000): Promise<TransportCeilingServer> {
    const script = join(import.meta.dirname, 'transport-ceiling.server.js');
    // stdin stays open as a lifeline: the server ends when it closes, i.e. when the benchmark dies.
    const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    const lines = createInterface({ input: child.stdout });
    const listening = new Promise<number>((resolve, reject) => {
      lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
      child.once('exit', (code) =>
        reject(new Error(`the transport ceiling server exited (code ${code}): ${stderr.join('').trim()}`)),
      );
    });
    try {
      const port = await withTimeout(listening, timeoutMs, 'transport ceiling server');
      return new TransportCeilingServer(child, `127.0.0.1:${port}`);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    } finally {
      lines.close();
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await withTimeout(this.exited, 10_000, 'stopping the transport ceiling server').catch(() =>
        this.child.kill('SIGKILL'),
      );
    }
    process.off('exit', this.killOnExit);
  }
}
