// `npm start` (node dist/apps/devcluster/src/main.js [options]): a small ipledger cluster on this machine.
import { runDevCluster } from './dev-cluster.js';
import { DevOutput } from './dev-output.js';
import { parseDevclusterArgs, USAGE, UsageError } from './devcluster-args.js';
import { Shutdown } from './shutdown.js';

const out = new DevOutput();
let command: ReturnType<typeof parseDevclusterArgs>;
try {
  command = parseDevclusterArgs(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError)) {
    throw error;
  }
  process.stderr.write(`devcluster: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}

if (command.kind === 'help') {
  process.stdout.write(USAGE);
} else {
  const shutdown = new Shutdown((text) => out.info(text));
  shutdown.install();
  const code = await runDevCluster({ args: command.args, out, shutdown });
  shutdown.dispose();
  process.exitCode = code;
}
