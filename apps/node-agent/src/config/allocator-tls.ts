// The agent's client credentials for an allocator that requires mutual TLS, from the files named by
// IPLEDGER_ALLOCATOR_TLS_CERT / _KEY / _CA. Everything the allocator would refuse later, and obscurely (a
// failed handshake is only UNAVAILABLE; a certificate of another node only PERMISSION_DENIED on every call),
// is refused here at start-up with a ConfigError naming the variable: unreadable or non-PEM files, a key
// that is not the certificate's, a certificate outside its validity, and a subject that is not this node.
// Messages name paths and certificate subjects, never key material.
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type * as grpc from '@grpc/grpc-js';
import { ConfigError, ProblemList } from '@ipledger/config';
import { mutualTlsCredentials } from '@ipledger/proto';
import { type AgentSettings } from './agent-settings.js';

/** How the agent reaches the allocator: plaintext (no credentials) or mutual TLS as its node. */
export interface AllocatorChannel {
  credentials?: grpc.ChannelCredentials;
  tlsServerName?: string;
  /** For the start-up log line: `plaintext` or `mutual TLS as node:<name>`. */
  description: string;
}

/**
 * The certificate subject CN the allocator reads a node agent's identity from (docs/api.md, "Mutual TLS"):
 * a node certificate may act for that node only.
 */
export const nodeCommonName = (nodeName: string): string => `node:${nodeName}`;

type ReadFile = (path: string) => Buffer;

/** Reads and checks the TLS files; throws ConfigError naming every bad variable. */
export function allocatorChannel(
  settings: Pick<AgentSettings, 'nodeName' | 'allocatorTls'>,
  readFile: ReadFile = readFileSync,
  now: Date = new Date(),
): AllocatorChannel {
  const tls = settings.allocatorTls;
  if (!tls) {
    return { description: 'plaintext' };
  }
  const problems = new ProblemList();
  const read = (variable: string, path: string): Buffer | null => {
    try {
      return readFile(path);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      problems.add(variable, `cannot read ${path}: ${reason}`);
      return null;
    }
  };
  const certPem = read('IPLEDGER_ALLOCATOR_TLS_CERT', tls.certFile);
  const keyPem = read('IPLEDGER_ALLOCATOR_TLS_KEY', tls.keyFile);
  const caPem = read('IPLEDGER_ALLOCATOR_TLS_CA', tls.caFile);
  const cert = certPem && parseCertificate('IPLEDGER_ALLOCATOR_TLS_CERT', tls.certFile, certPem, problems);
  const key = keyPem && parsePrivateKey(tls.keyFile, keyPem, problems);
  if (caPem) {
    parseCertificate('IPLEDGER_ALLOCATOR_TLS_CA', tls.caFile, caPem, problems);
  }
  if (cert && key && !cert.checkPrivateKey(key)) {
    problems.add(
      'IPLEDGER_ALLOCATOR_TLS_KEY',
      `${tls.keyFile} is not the private key of the certificate in IPLEDGER_ALLOCATOR_TLS_CERT (${tls.certFile})`,
    );
  }
  if (cert) {
    checkValidity(cert, now, problems);
    checkSubject(cert, settings.nodeName, problems);
  }
  problems.throwIfAny();
  let credentials: grpc.ChannelCredentials;
  try {
    credentials = mutualTlsCredentials({ ca: caPem!, cert: certPem!, key: keyPem! });
  } catch (error) {
    throw new ConfigError([`IPLEDGER_ALLOCATOR_TLS_CERT/_KEY/_CA: not usable for TLS: ${(error as Error).message}`]);
  }
  return {
    credentials,
    tlsServerName: tls.serverName ?? undefined,
    description: `mutual TLS as ${nodeCommonName(settings.nodeName)}`,
  };
}

function parseCertificate(variable: string, path: string, pem: Buffer, problems: ProblemList): X509Certificate | null {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    problems.add(variable, `${path} holds no PEM certificate (${opensslReason(error)})`);
    return null;
  }
}

function parsePrivateKey(path: string, pem: Buffer, problems: ProblemList): KeyObject | null {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    // OpenSSL's reason names a routine, never the bytes it could not decode.
    problems.add(
      'IPLEDGER_ALLOCATOR_TLS_KEY',
      `${path} holds no unencrypted PEM private key (${opensslReason(error)})`,
    );
    return null;
  }
}

function checkValidity(cert: X509Certificate, now: Date, problems: ProblemList): void {
  if (now.getTime() > Date.parse(cert.validTo)) {
    problems.add('IPLEDGER_ALLOCATOR_TLS_CERT', `the certificate expired on ${cert.validTo}`);
  } else if (now.getTime() < Date.parse(cert.validFrom)) {
    problems.add('IPLEDGER_ALLOCATOR_TLS_CERT', `the certificate is not valid before ${cert.validFrom}`);
  }
}

/** The allocator takes the first CN of the subject, as a TLS peer certificate presents it; so do we. */
function checkSubject(cert: X509Certificate, nodeName: string, problems: ProblemList): void {
  // Typed as a string, but a subject with two CNs gives an array.
  const cn: string | string[] | undefined = cert.toLegacyObject().subject?.CN;
  const commonName = Array.isArray(cn) ? cn[0] : cn;
  const expected = nodeCommonName(nodeName);
  if (commonName !== expected) {
    problems.add(
      'IPLEDGER_ALLOCATOR_TLS_CERT',
      `the certificate's subject CN is "${commonName ?? ''}" but this agent is IPLEDGER_NODE_NAME "${nodeName}": ` +
        `the allocator lets a node act only with a certificate whose CN is "${expected}"`,
    );
  }
}

function opensslReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return code ?? message;
}
