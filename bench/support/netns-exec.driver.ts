// Runs inside a network namespace (started as `ip netns exec <ns> node netns-exec.driver.js`) and executes
// plugin binaries there on request, timing each from spawn to exit. Requests and answers are JSON lines on
// stdin/stdout. Running the plugins from a process already inside the namespace keeps the cost of
// `ip netns exec` itself out of the measured time. Node built-ins only: it runs as a plain script.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

interface ExecRequest {
  id: number;
  bin: string;
  env: Record<string, string>;
  stdin: string;
}

function execute(request: ExecRequest): Promise<string> {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const child = spawn(request.bin, [], { env: request.env, stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) =>
      resolve(JSON.stringify({ id: request.id, code: -1, stdout: '', stderr: error.message, ms: 0 })),
    );
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8').slice(-2000);
      resolve(JSON.stringify({ id: request.id, code: code ?? -1, stdout, stderr, ms }));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(request.stdin);
  });
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  void execute(JSON.parse(line) as ExecRequest).then((answer) => process.stdout.write(`${answer}\n`));
});
lines.on('close', () => process.exit(0));
