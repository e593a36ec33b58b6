// The allocator as the allocator-only dev cluster runs it: the built app as a child process, configured by
// its environment, output into a log file (ChildLogs shows it), ready once gRPC health says SERVING, stopped
// by its own pid (SIGTERM, then SIGKILL after a grace period) and killed if the dev cluster dies first.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { checkHealth } from '@ipledger/proto';

export class AllocatorProcess {
  private readonly killOnExit = () => this.child.kill('SIGKILL');
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly address: string,
    private readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    process.once('exit', this.killOnExit);
  }

  static start(main: string, env: NodeJS.ProcessEnv, address: string, logFile: string): AllocatorProcess {
    if (!existsSync(main)) {
      throw new Error(`the allocator is not built (${main} is missing): run npm run build`);
    }
    const log = openSync(logFile, 'a');
    try {
      // Its own process group: a Ctrl-C in the terminal reaches the dev cluster only, which then stops the
      // allocator in order (after the workload, before ecs-sim).
      const child = spawn(process.execPath, ['--enable-source-maps', main], {
        env,
        stdio: ['ignore', log, log],
        detached: true,
      });
      return new AllocatorProcess(child, address, logFile);
    } finally {
      closeSync(log);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Polls gRPC health until SERVING; fails at once when the process exits, or after `timeoutMs`. */
  async waitUntilServing(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) {
        const code = this.child.exitCode ?? this.child.signalCode;
        throw new Error(`the allocator exited (code ${code}); the end of ${this.logFile}:\n${this.logTail()}`);
      }
      signal?.throwIfAborted();
      const status = await checkHealth(this.address, { timeoutMs: 1_000 }).catch(() => 'DOWN');
      if (status === 'SERVING') {
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`the allocator did not serve gRPC on ${this.address} within ${timeoutMs / 1000} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private logTail(lines = 12): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    process.removeListener('exit', this.killOnExit);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
