// A long-running child of the harness (the allocator, a node agent): started with its own environment, its
// output appended to a log file, stopped by its own pid only, and always killed when the harness exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export class ManagedProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  private readonly killOnExit = () => this.child?.kill('SIGKILL');

  constructor(
    readonly name: string,
    private readonly command: { file: string; args: string[]; env: NodeJS.ProcessEnv },
    readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) {
      throw new Error(`${this.name} is already running`);
    }
    const log = openSync(this.logFile, 'a');
    try {
      const child = spawn(this.command.file, this.command.args, {
        env: this.command.env,
        stdio: ['ignore', log, log],
      });
      this.child = child;
      this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      process.once('exit', this.killOnExit);
    } finally {
      closeSync(log);
    }
  }

  /** Sends the signal and waits for the exit; SIGKILL after `graceMs` if a gentler signal is ignored. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (!this.running) {
      return;
    }
    this.child?.kill(signal);
    const timer = signal === 'SIGKILL' ? null : setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    if (timer) {
      clearTimeout(timer);
    }
    process.removeListener('exit', this.killOnExit);
  }

  /** Resolves with the exit code when the process ends (null when killed by a signal). */
  waitForExit(): Promise<number | null> {
    return this.exited;
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }
}
