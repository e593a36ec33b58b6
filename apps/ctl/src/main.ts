// The `ipledger` operator CLI (npm run -s ipledger -- <args>, or node dist/apps/ctl/src/main.js <args>).
import { readFileSync } from 'node:fs';
import { connectAllocator } from './allocator-connection.js';
import { runCli } from './cli.js';

const exitCode = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  now: () => new Date(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFileSync(path),
  connect: (options) => connectAllocator(options, (path) => readFileSync(path)),
});
process.exitCode = exitCode;
