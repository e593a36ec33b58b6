// ipledger-cni: the CNI plugin executable the container runtime runs for every pod network operation.
// Reads CNI_* from the environment and the network configuration from stdin, sends one request to the node
// agent over its unix socket, prints one JSON document (the ADD result or the error) and exits. Logs go to
// stderr only; stdout belongs to the runtime.
import { readSync } from 'node:fs';
import { isatty } from 'node:tty';
import { postToAgent } from './agent-client.js';
import { runPlugin, type PluginOutcome } from './run-plugin.js';

/**
 * Reads stdin to its end. Synchronous reads are the quickest start, and runtimes hand plugins a blocking pipe;
 * should stdin be non-blocking after all (EAGAIN), the rest is read as a stream.
 */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for (;;) {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    let count: number;
    try {
      count = readSync(0, buffer, 0, buffer.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') {
        throw err;
      }
      for await (const chunk of process.stdin) {
        chunks.push(chunk as Buffer);
      }
      break;
    }
    if (count === 0) {
      break;
    }
    chunks.push(buffer.subarray(0, count));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function finish(outcome: PluginOutcome): void {
  if (outcome.log) {
    process.stderr.write(`${outcome.log}\n`);
  }
  const text = outcome.stdout === '' ? '' : `${outcome.stdout}\n`;
  // Exit as soon as stdout is flushed: nothing else is left to do, and a lingering handle must not delay us.
  process.stdout.write(text, () => process.exit(outcome.exitCode));
}

void runPlugin({
  env: process.env,
  readStdin,
  readVersionInput: () => (isatty(0) ? Promise.resolve(undefined) : readStdin()),
  send: postToAgent,
}).then(finish, (err: unknown) => {
  // runPlugin turns every failure into an outcome; reaching here means a bug, still answered in CNI form.
  process.stderr.write(`${String(err)}\n`);
  finish({ exitCode: 1, stdout: JSON.stringify({ cniVersion: '1.1.0', code: 999, msg: String(err) }) });
});
