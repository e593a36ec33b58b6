// Opens the gRPC client from the command line's options: plaintext, or mutual TLS from PEM files (named by
// flags or by the IPLEDGER_ALLOCATOR_TLS_* variables; errors say which).
import { type AllocatorClient, createAllocatorClient, mutualTlsCredentials } from '@ipledger/proto';
import { type GlobalOptions } from './cli-args.js';

export function connectAllocator(options: GlobalOptions, readFile: (path: string) => Buffer): AllocatorClient {
  const { tls } = options;
  const credentials = tls
    ? mutualTlsCredentials({
        ca: readPem(tls.sources.ca, tls.ca, readFile),
        cert: readPem(tls.sources.cert, tls.cert, readFile),
        key: readPem(tls.sources.key, tls.key, readFile),
      })
    : undefined;
  return createAllocatorClient(options.allocator, {
    credentials,
    tlsServerName: tls?.serverName ?? undefined,
    defaultTimeoutMs: options.timeoutMs,
  });
}

function readPem(source: string, path: string, readFile: (path: string) => Buffer): Buffer {
  try {
    return readFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot read ${source} ${path}: ${reason}`, { cause: error });
  }
}
