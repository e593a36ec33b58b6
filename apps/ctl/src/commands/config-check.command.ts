// `ipledger config check <file>`: validates an eni-config file exactly as the allocator will, without a
// cluster. Valid: one line with the canonical hash (what the ledger records). Invalid: every problem, one per
// line on stdout, and exit status 1.
import { ConfigError, parseEniConfig } from '@ipledger/config';
import { EXIT_FAILURE, EXIT_OK } from '../cli-error.js';
import { type CommandContext, writeJson } from './command-context.js';

export function runConfigCheck(ctx: CommandContext, file: string): number {
  let text: string;
  try {
    text = ctx.readFile(file);
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const loaded = parseEniConfig(text);
    if (ctx.json) {
      writeJson(ctx, { file, valid: true, sha256: loaded.sha256, warnings: loaded.warnings, config: loaded.canonical });
    } else {
      ctx.write(`${file}: valid eni-config (sha256 ${loaded.sha256})\n`);
      ctx.write(loaded.warnings.map((w) => `  warning: ${w}\n`).join(''));
    }
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      throw error;
    }
    if (ctx.json) {
      writeJson(ctx, { file, valid: false, problems: error.problems });
    } else {
      const count = error.problems.length === 1 ? '1 problem' : `${error.problems.length} problems`;
      ctx.write(`${file}: invalid eni-config, ${count}:\n${error.problems.map((p) => `  ${p}\n`).join('')}`);
    }
    return EXIT_FAILURE;
  }
}
