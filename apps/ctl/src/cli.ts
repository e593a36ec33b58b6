// One CLI run: parse, dispatch, print, and turn any failure into one line on stderr and an exit status.
// Everything outside (argv, environment, clock, files, the allocator) comes in, so tests run it in-process.
import { type AllocatorClient } from '@ipledger/proto';
import { type CliCommand, type GlobalOptions, parseCliArgs } from './cli-args.js';
import { describeFailure, EXIT_OK } from './cli-error.js';
import { usageText } from './cli-usage.js';
import { runAllocation } from './commands/allocation.command.js';
import { runAllocations } from './commands/allocations.command.js';
import { type CommandContext } from './commands/command-context.js';
import { runConfigCheck } from './commands/config-check.command.js';
import { runHistory } from './commands/history.command.js';
import { runNode } from './commands/node.command.js';
import { runNodes } from './commands/nodes.command.js';

export interface CliIo {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => Buffer;
  connect: (options: GlobalOptions) => AllocatorClient;
}

export async function runCli(io: CliIo): Promise<number> {
  let client: AllocatorClient | undefined;
  try {
    const now = io.now();
    const { global, command } = parseCliArgs(io.argv, io.env, now);
    const ctx: CommandContext = {
      allocator: () => (client ??= io.connect(global)),
      json: global.json,
      now,
      write: io.stdout,
      readFile: (path) => io.readFile(path).toString('utf8'),
    };
    return await dispatch(ctx, command);
  } catch (error) {
    const { line, exitCode } = describeFailure(error);
    io.stderr(`${line}\n`);
    return exitCode;
  } finally {
    client?.close();
  }
}

async function dispatch(ctx: CommandContext, command: CliCommand): Promise<number> {
  switch (command.kind) {
    case 'help':
      ctx.write(usageText(command.topic));
      return EXIT_OK;
    case 'nodes':
      await runNodes(ctx);
      return EXIT_OK;
    case 'node':
      await runNode(ctx, command.name);
      return EXIT_OK;
    case 'allocations':
      await runAllocations(ctx, command.node);
      return EXIT_OK;
    case 'allocation':
      await runAllocation(ctx, command.target);
      return EXIT_OK;
    case 'history':
      await runHistory(ctx, command);
      return EXIT_OK;
    case 'config-check':
      return runConfigCheck(ctx, command.file);
  }
}
