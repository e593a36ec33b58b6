// ipledger-cni: the CNI plugin executable the container runtime runs for every pod network operation.
// Reads CNI_* from the environment and the network configuration from stdin, sends one request to the node
// agent over its unix socket, prints one JSON document (the ADD result or the error) and exits. Logs go to
// stderr only; stdout belongs to the runtime.
//
// Start-up is most of the plugin's cost, so nothing is loaded that the run does not use: under bun (the
// built executable) stdin, stdout and the socket go through bun's own API; the node: modules a Node run
// needs are imported when first used (docs/cni.md has the measurements).
import { postToAgent } from './agent-client.js';
import { bunAgentTransport } from './bun-agent-client.js';
import { bunRuntime } from './bun-runtime.js';
import { runPlugin, type PluginIo, type PluginOutcome } from './run-plugin.js';

/**
 * Reads stdin to its end on Node. Synchronous reads are the quickest start, and runtimes hand plugins a
 * blocking pipe; should stdin be non-blocking after all (EAGAIN), the rest is read as a stream.
 */
async function readStdinWithNode(): Promise<string> {
  const { readSync } = await import('node:fs');
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

const bunStdin = bunRuntime?.stdin;
const readStdin = bunStdin ? () => bunStdin.text() : readStdinWithNode;

/**
 * VERSION's input is optional: a person running the plugin in a terminal is not made to type one. Under bun a
 * character device on stdin (a terminal, or /dev/null, which has nothing to read either) counts as no input:
 * bun's stat is free, while loading `node:tty` would cost about 4 ms.
 */
async function readVersionInput(): Promise<string | undefined> {
  if (bunStdin) {
    return (await bunStdin.stat()).isCharacterDevice() ? undefined : readStdin();
  }
  const { isatty } = await import('node:tty');
  return isatty(0) ? undefined : readStdin();
}

async function write(stream: 'stdout' | 'stderr', text: string): Promise<void> {
  if (bunRuntime) {
    await bunRuntime.write(bunRuntime[stream], text);
    return;
  }
  await new Promise<void>((resolve) => process[stream].write(text, () => resolve()));
}

async function finish(outcome: PluginOutcome): Promise<never> {
  if (outcome.log) {
    await write('stderr', `${outcome.log}\n`);
  }
  await write('stdout', outcome.stdout === '' ? '' : `${outcome.stdout}\n`);
  // Exit as soon as stdout is flushed: nothing else is left to do, and a lingering handle must not delay us.
  process.exit(outcome.exitCode);
}

const io: PluginIo = {
  env: process.env,
  readStdin,
  readVersionInput,
  send: bunRuntime ? bunAgentTransport(bunRuntime) : postToAgent,
};

void runPlugin(io).then(finish, (err: unknown) => {
  // runPlugin turns every failure into an outcome; reaching here means a bug, still answered in CNI form.
  return finish({
    exitCode: 1,
    stdout: JSON.stringify({ cniVersion: '1.1.0', code: 999, msg: String(err) }),
    log: String(err),
  });
});
