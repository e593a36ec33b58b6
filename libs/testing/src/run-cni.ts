// Runs a CNI plugin executable the way a container runtime does: CNI_* in a clean environment, the network
// configuration on stdin, one JSON document back on stdout. Asynchronous on purpose, so that a test can serve
// the plugin's requests (e.g. the node agent's CNI socket) in the same process while it runs.
import { spawn } from 'node:child_process';

export interface RunCniOptions {
  /** The plugin: an executable, or a .mjs/.js bundle (run with this Node). */
  bin: string;
  /** CNI_COMMAND; omit to leave it unset. */
  command?: string;
  /** More variables (CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH...); undefined unsets. */
  env?: Record<string, string | undefined>;
  /** The network configuration: an object is sent as JSON, a string as is; omitted means empty stdin. */
  stdin?: string | object;
  /** Kill the plugin after this long (default 30 s); the outcome then has code -1. */
  timeoutMs?: number;
}

export interface RunCniOutcome {
  /** Exit code; -1 when killed by a signal or the timeout. */
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function runCni(options: RunCniOptions): Promise<RunCniOutcome> {
  const { bin, command, stdin, timeoutMs = 30_000 } = options;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
  if (command !== undefined) {
    env.CNI_COMMAND = command;
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) {
      delete env[key];
    } else {
      env[key] = value;
    }
  }
  const [file, args] = /\.[mc]?js$/.test(bin) ? [process.execPath, [bin]] : [bin, []];
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      resolve({ code: code ?? -1, stdout, stderr: Buffer.concat(err).toString('utf8'), json: parseJson(stdout) });
    });
    child.stdin.on('error', () => undefined); // the plugin may exit without reading stdin (e.g. bad env)
    child.stdin.end(stdin === undefined ? '' : typeof stdin === 'string' ? stdin : JSON.stringify(stdin));
  });
}
