// Runs a tool once and feeds it a batch on stdin. With `-force`, iproute2 keeps going after a failed line and
// reports it as "<message>\nCommand failed -:<line>"; a few errors end the process instead (bad arguments, a
// namespace that cannot be entered), which leaves a message after the last marker.
import { spawn } from 'node:child_process';
import { KernelError } from './kernel-error.js';

export interface ProcessOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export function runProcess(file: string, args: readonly string[], input?: string): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (cause) => reject(new KernelError(`cannot run ${file}: ${cause.message}`, { file })));
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    // A tool that dies early closes its stdin; the EPIPE that follows is reported through `close` anyway.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

export interface BatchOutcome {
  code: number;
  stdout: string;
  /** 1-based batch line → the tool's message for it. */
  failures: Map<number, string>;
  /** Set when the tool stopped before the end of the batch: its last words. */
  aborted: string | null;
}

const MARKER = /^Command failed (?:-|\S+):(\d+)$/;

export function parseBatchErrors(code: number, stderr: string): Pick<BatchOutcome, 'failures' | 'aborted'> {
  const failures = new Map<number, string>();
  let pending: string[] = [];
  for (const line of stderr.split('\n')) {
    const marker = MARKER.exec(line.trim());
    if (marker) {
      failures.set(Number(marker[1]), pending.join('\n').trim());
      pending = [];
    } else if (line.trim() !== '') {
      pending.push(line.trim());
    }
  }
  // Text after the last marker is either a warning of a line that worked or the reason the tool quit.
  const trailing = pending.filter((line) => !/^Warning:/i.test(line)).join('\n');
  const aborted = code !== 0 && trailing !== '' ? trailing : null;
  return { failures, aborted: aborted ?? (code !== 0 && failures.size === 0 ? `exit code ${code}` : null) };
}

export async function runBatch(file: string, args: readonly string[], lines: readonly string[]): Promise<BatchOutcome> {
  const { code, stdout, stderr } = await runProcess(file, args, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  return { code, stdout, ...parseBatchErrors(code, stderr) };
}
