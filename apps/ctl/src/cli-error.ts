// What can go wrong in a CLI run, and the one line on stderr that says so. Exit codes: 2 for a command line
// the CLI cannot understand, 1 for everything else (the allocator refused, could not be reached, a config
// file is invalid), so that scripts can tell "fix your invocation" from "the cluster said no".
import { AllocatorRpcError } from '@ipledger/proto';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The command line is wrong; the message says how, and `--help` says what is right. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure found by the CLI itself, named with the gRPC status it corresponds to (e.g. NOT_FOUND). */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly codeName: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ReportedError {
  line: string;
  exitCode: number;
}

/** One line per failure: `ipledger: <what>`, with the gRPC status name and the allocator's reason. */
export function describeFailure(error: unknown): ReportedError {
  if (error instanceof UsageError) {
    return { line: `ipledger: ${error.message} (see ipledger --help)`, exitCode: EXIT_USAGE };
  }
  if (error instanceof AllocatorRpcError) {
    const extras = [error.reason && `reason: ${error.reason}`, error.field && `field: ${error.field}`].filter(Boolean);
    const suffix = extras.length > 0 ? ` (${extras.join(', ')})` : '';
    const details = oneLine(error.details) || 'no details';
    return { line: `ipledger: ${error.rpc} failed: ${error.codeName}: ${details}${suffix}`, exitCode: EXIT_FAILURE };
  }
  if (error instanceof CliError) {
    return { line: `ipledger: ${error.codeName}: ${oneLine(error.message)}`, exitCode: EXIT_FAILURE };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: `ipledger: ${oneLine(message)}`, exitCode: EXIT_FAILURE };
}

function oneLine(text: string): string {
  // grpc-js ends connection failures with an empty "Resolution note:"; it says nothing.
  return text
    .replace(/\s*\n\s*/g, '; ')
    .replace(/\s*Resolution note:\s*$/, '')
    .trim();
}
