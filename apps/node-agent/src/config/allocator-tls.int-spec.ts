// The agent's mutual-TLS files as it reads them at start-up: real PEM files made by openssl in a temporary
// directory. Every file the allocator would refuse later is refused here, naming the variable, and nothing
// of the private key ends up in a message.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@ipledger/config';
import { type Pem, TestPki } from '@ipledger/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AllocatorTlsFiles } from './agent-settings.js';
import { allocatorChannel } from './allocator-tls.js';

let pki: TestPki;
let ca: Pem;
let nodeA: Pem;
let garbage: string;

beforeAll(() => {
  pki = new TestPki();
  ca = pki.authority('agent-test-ca');
  nodeA = pki.issue(ca, 'node-a', 'node:node-a');
  garbage = join(pki.dir, 'garbage.pem');
  writeFileSync(garbage, 'not a PEM file\n');
});
afterAll(() => pki?.cleanup());

const files = (overrides: Partial<AllocatorTlsFiles> = {}): AllocatorTlsFiles => ({
  certFile: nodeA.certFile,
  keyFile: nodeA.keyFile,
  caFile: ca.certFile,
  serverName: null,
  ...overrides,
});

function problemsOf(tls: AllocatorTlsFiles, nodeName = 'node-a', now?: Date): readonly string[] {
  try {
    allocatorChannel({ nodeName, allocatorTls: tls }, undefined, now);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** The base64 body of a PEM key: what must never be printed. */
const keyBody = (pem: Pem) => pem.key.toString('utf8').split('\n').slice(1, -2).join('');

describe('allocatorChannel', () => {
  it('is plaintext without TLS settings', () => {
    expect(allocatorChannel({ nodeName: 'node-a', allocatorTls: null })).toEqual({ description: 'plaintext' });
  });

  it('makes credentials from this node’s certificate, its key and the CA', () => {
    const channel = allocatorChannel({ nodeName: 'node-a', allocatorTls: files({ serverName: 'allocator.test' }) });
    expect(channel.credentials?._isSecure()).toBe(true);
    expect(channel.tlsServerName).toBe('allocator.test');
    expect(channel.description).toBe('mutual TLS as node:node-a');
  });

  it('names every unreadable file', () => {
    const missing = join(pki.dir, 'missing');
    expect(problemsOf(files({ certFile: `${missing}.crt`, keyFile: `${missing}.key`, caFile: pki.dir }))).toEqual([
      `IPLEDGER_ALLOCATOR_TLS_CERT: cannot read ${missing}.crt: ENOENT`,
      `IPLEDGER_ALLOCATOR_TLS_KEY: cannot read ${missing}.key: ENOENT`,
      `IPLEDGER_ALLOCATOR_TLS_CA: cannot read ${pki.dir}: EISDIR`,
    ]);
  });

  it('names every file that holds no PEM of its kind, without printing the key', () => {
    const problems = problemsOf(files({ certFile: nodeA.keyFile, keyFile: garbage, caFile: garbage }));
    expect(problems).toEqual([
      `IPLEDGER_ALLOCATOR_TLS_CERT: ${nodeA.keyFile} holds no PEM certificate (ERR_OSSL_PEM_NO_START_LINE)`,
      `IPLEDGER_ALLOCATOR_TLS_KEY: ${garbage} holds no unencrypted PEM private key (ERR_OSSL_UNSUPPORTED)`,
      `IPLEDGER_ALLOCATOR_TLS_CA: ${garbage} holds no PEM certificate (ERR_OSSL_PEM_NO_START_LINE)`,
    ]);
    expect(problems.join('\n')).not.toContain(keyBody(nodeA));
  });

  it('refuses a key that is not the certificate’s', () => {
    const other = pki.issue(ca, 'other-key', 'node:node-a');
    expect(problemsOf(files({ keyFile: other.keyFile }))).toEqual([
      `IPLEDGER_ALLOCATOR_TLS_KEY: ${other.keyFile} is not the private key of the certificate in ` +
        `IPLEDGER_ALLOCATOR_TLS_CERT (${nodeA.certFile})`,
    ]);
  });

  it('refuses a certificate of another node, or of an operator', () => {
    expect(problemsOf(files(), 'node-b')).toEqual([
      'IPLEDGER_ALLOCATOR_TLS_CERT: the certificate\'s subject CN is "node:node-a" but this agent is ' +
        'IPLEDGER_NODE_NAME "node-b": the allocator lets a node act only with a certificate whose CN is "node:node-b"',
    ]);
    const operator = pki.issue(ca, 'operator', 'operator:alice');
    expect(problemsOf(files({ certFile: operator.certFile, keyFile: operator.keyFile }))).toEqual([
      'IPLEDGER_ALLOCATOR_TLS_CERT: the certificate\'s subject CN is "operator:alice" but this agent is ' +
        'IPLEDGER_NODE_NAME "node-a": the allocator lets a node act only with a certificate whose CN is "node:node-a"',
    ]);
  });

  it('refuses a certificate outside its validity', () => {
    const inThreeDays = new Date(Date.now() + 3 * 86_400_000);
    const [expired] = problemsOf(files(), 'node-a', inThreeDays);
    expect(expired).toMatch(/^IPLEDGER_ALLOCATOR_TLS_CERT: the certificate expired on \w{3} +\d+ [\d:]+ \d{4} GMT$/);
    const [early] = problemsOf(files(), 'node-a', new Date(Date.now() - 86_400_000));
    expect(early).toMatch(/^IPLEDGER_ALLOCATOR_TLS_CERT: the certificate is not valid before /);
  });
});
