// Network namespaces for the CNI benchmarks, named `ipl-bench-<purpose>-<random>` (made and removed with the
// dev cluster's host commands; callers delete theirs in `finally`), and a plugin runner that lives inside one.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { addNetns as addNamedNetns, deleteNetns } from '../../apps/devcluster/src/host-commands.js';

export { deleteNetns };

export function netnsName(purpose: string): string {
  return `ipl-bench-${purpose}-${randomBytes(3).toString('hex')}`;
}

/** A namespace with its loopback up; resolves its path (what CNI_NETNS names). */
export async function addNetns(name: string): Promise<string> {
  await addNamedNetns(name);
  return `/var/run/netns/${name}`;
}

export interface PluginRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Spawn to exit, measured inside the namespace. */
  ms: number;
}

/** A long-lived process inside `netns` that runs plugin executables there and times them. */
export class NetnsExecutor {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, (run: PluginRun) => void>();
  private nextId = 1;

  constructor(netns: string) {
    const driver = join(import.meta.dirname, 'netns-exec.driver.js');
    this.child = spawn('ip', ['netns', 'exec', netns, process.execPath, driver], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line) as PluginRun & { id: number };
      this.pending.get(answer.id)?.(answer);
      this.pending.delete(answer.id);
    });
    this.child.stderr.resume();
  }

  exec(bin: string, env: Record<string, string>, stdin: string): Promise<PluginRun> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${bin}: no answer within 90 s`)), 90_000);
      this.pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.child.stdin.write(`${JSON.stringify({ id, bin, env: { PATH: process.env.PATH ?? '', ...env }, stdin })}\n`);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) {
        resolve();
        return;
      }
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
      setTimeout(() => this.child.kill('SIGKILL'), 5_000).unref();
    });
  }
}
