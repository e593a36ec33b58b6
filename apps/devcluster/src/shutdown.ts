// Stopping the dev cluster. The first Ctrl-C (SIGINT) or SIGTERM asks every phase to stop and lets the
// clean-up run, within a bound; a second signal, or the bound running out, forces the exit: the registered
// last-resort steps run synchronously (kill the children, delete the namespaces) and the process exits.

export class Shutdown {
  private readonly controller = new AbortController();
  private readonly lastResorts: (() => void)[] = [];
  private deadline: NodeJS.Timeout | null = null;
  private readonly onSignal = (signal: NodeJS.Signals) => this.handle(signal);

  constructor(
    private readonly say: (text: string) => void,
    /** How long the clean stop may take before it is forced. */
    private readonly boundMs = 60_000,
    private readonly exit: (code: number) => never = (code) => process.exit(code),
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  install(): void {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  dispose(): void {
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
    if (this.deadline) {
      clearTimeout(this.deadline);
    }
  }

  /** A synchronous step for a forced exit (SIGKILL a child, delete namespaces); newest first. */
  onForce(step: () => void): void {
    this.lastResorts.unshift(step);
  }

  handle(signal: NodeJS.Signals): void {
    if (this.controller.signal.aborted) {
      this.force(`${signal} again`);
      return;
    }
    this.say(`${signal}: stopping the cluster (press Ctrl-C again to force)`);
    this.controller.abort(new Error(`stopped by ${signal}`));
    this.deadline = setTimeout(() => this.force(`clean stop took over ${this.boundMs / 1000} s`), this.boundMs);
    this.deadline.unref();
  }

  force(why: string): never {
    this.say(`${why}: forcing the exit (killing child processes, deleting namespaces)`);
    for (const step of this.lastResorts) {
      try {
        step();
      } catch {
        // Last resort: try every step whatever the others did.
      }
    }
    return this.exit(130);
  }
}
