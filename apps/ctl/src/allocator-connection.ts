// Opens the gRPC client from the command line's options: plaintext, or mutual TLS from PEM files.
import { type AllocatorClient, createAllocatorClient, mutualTlsCredentials } from '@ipledger/proto';
import { type GlobalOptions } from './cli-args.js';

export function connectAllocator(options: GlobalOptions, readFile: (path: string) => Buffer): AllocatorClient {
  const credentials = options.tls
    ? mutualTlsCredentials({
        ca: readPem('--ca', options.tls.ca, readFile),
        cert: readPem('--cert', options.tls.cert, readFile),
        key: readPem('--key', options.tls.key, readFile),
      })
    : undefined;
  return createAllocatorClient(options.allocator, { credentials, defaultTimeoutMs: options.timeoutMs });
}

function readPem(flag: string, path: string, readFile: (path: string) => Buffer): Buffer {
  try {
    return readFile(path);
  } catch (error) {
    throw new Error(
      `cannot read ${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
