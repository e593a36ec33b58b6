// What every command gets: the allocator (connected on first use, so that `config check` works offline),
// the output, and the run's clock and options.
import { type AllocatorClient } from '@ipledger/proto';

export interface CommandContext {
  allocator(): AllocatorClient;
  json: boolean;
  now: Date;
  /** Standard output; errors are thrown, and main writes them to stderr. */
  write(text: string): void;
  readFile(path: string): string;
}

export function writeJson(ctx: CommandContext, value: unknown): void {
  ctx.write(`${JSON.stringify(value, null, 2)}\n`);
}
