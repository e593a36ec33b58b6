// Commands the harness runs on the machine: namespaces for nodes and pods, commands inside them. The harness
// plays the cloud's hypervisor and the container runtime here, so it shells out directly (the agent itself
// goes through its kernel port).
import { spawn } from 'node:child_process';

export interface CommandOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCommand(
  file: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : null;
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) {
        clearTimeout(timer);
      }
      resolve({
        code: code ?? (signal ? -1 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export async function mustRun(file: string, args: readonly string[], input?: string): Promise<string> {
  const outcome = await runCommand(file, args, { input });
  if (outcome.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} failed (${outcome.code}): ${outcome.stderr.trim()}`);
  }
  return outcome.stdout;
}

/** A namespace with its loopback up. */
export async function addNetns(name: string): Promise<void> {
  await mustRun('ip', ['netns', 'add', name]);
  await mustRun('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/** Deletes a namespace; a missing one is fine. */
export async function deleteNetns(name: string): Promise<void> {
  const outcome = await runCommand('ip', ['netns', 'del', name]);
  if (outcome.code !== 0 && !/No such file|does not exist/i.test(outcome.stderr)) {
    throw new Error(`ip netns del ${name}: ${outcome.stderr.trim()}`);
  }
}

export function execInNetns(netns: string, argv: readonly string[], timeoutMs?: number): Promise<CommandOutcome> {
  return runCommand('ip', ['netns', 'exec', netns, ...argv], { timeoutMs });
}
