// ipledger-cni: the CNI plugin executable the container runtime runs for every pod network operation.
// Reads CNI_* from the environment and the network configuration from stdin, sends one request to the node
// agent over its unix socket, prints one JSON document (the ADD result or the error) and exits. Logs go to
// stderr only; stdout belongs to the runtime.
import { isatty } from 'node:tty';
import { postToAgent } from './agent-client.js';
import { runPlugin, type PluginOutcome } from './run-plugin.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
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
