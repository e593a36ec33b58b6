// Server credentials for mutual TLS from the files named by IPLEDGER_TLS_CERT / _KEY / _CA: the server
// presents its certificate and requires a client certificate signed by the CA.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ConfigError, type TlsFiles } from '@ipledger/config';

export function serverCredentialsFromFiles(files: TlsFiles): grpc.ServerCredentials {
  const read = (variable: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ConfigError([`${variable}: cannot read ${path}: ${reason}`]);
    }
  };
  const cert = read('IPLEDGER_TLS_CERT', files.certFile);
  const key = read('IPLEDGER_TLS_KEY', files.keyFile);
  const ca = read('IPLEDGER_TLS_CA', files.caFile);
  try {
    return grpc.ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], true);
  } catch (error) {
    throw new ConfigError([`IPLEDGER_TLS_CERT/_KEY/_CA: not usable as PEM: ${(error as Error).message}`]);
  }
}
