// Mutual TLS on the gRPC edge: the server wants a client certificate from its CA, takes the caller's
// identity from the certificate's CN, and lets a node act only for itself. Certificates are made with
// openssl for this file only.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AllocatorClient, checkHealth, createAllocatorClient, mutualTlsCredentials } from '@ipledger/proto';
import { type Pem, rpcFailureOf, TestPki } from '@ipledger/testing';
import { serverCredentialsFromFiles } from '../tls/tls-credentials.js';
import { startTestServer, type TestServer } from './testing/grpc-test-server.js';

const pod = { namespace: 'default', name: 'web-0', uid: '9f1c2a4e-0b5d-4c1e-8a57-1f2e3d4c5b6a' };

let pki: TestPki;
let ca: Pem;
let server: TestServer;
const clients: AllocatorClient[] = [];

/** A client that trusts the test CA for the server and presents `pem` (or no certificate at all). */
function clientAs(pem: Pem | null): AllocatorClient {
  const credentials = pem
    ? mutualTlsCredentials({ ca: ca.cert, cert: pem.cert, key: pem.key })
    : grpc.credentials.createSsl(ca.cert);
  const client = createAllocatorClient(server.address, { credentials, defaultTimeoutMs: 5_000 });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  pki = new TestPki();
  ca = pki.authority('ipledger-test-ca');
  const serverPem = pki.issue(ca, 'server', 'allocator', 'DNS:localhost,IP:127.0.0.1');
  const credentials = serverCredentialsFromFiles({
    certFile: serverPem.certFile,
    keyFile: serverPem.keyFile,
    caFile: ca.certFile,
  });
  server = await startTestServer({ credentials });
});
afterAll(async () => {
  clients.forEach((client) => client.close());
  await server.app.close();
  pki.cleanup();
});

describe('a node certificate (CN node:<name>)', () => {
  it('may act for its own node, recorded as actor node/<name>', async () => {
    const node = clientAs(pki.issue(ca, 'node-a', 'node:node-a'));
    const allocation = await node.allocateIp({ node: 'node-a', pod, container_id: 'c1' });
    expect(allocation.node).toBe('node-a');
    expect(server.fake.lastCall().ctx.actor).toBe('node/node-a');
    expect((await node.describePool({ node: 'node-a' })).node).toBe('node-a');
  });

  it('may not act for another node', async () => {
    const node = clientAs(pki.issue(ca, 'node-a2', 'node:node-a'));
    server.fake.reset();
    const error = await rpcFailureOf(node.allocateIp({ node: 'node-b', pod, container_id: 'c1' }));
    expect(error.codeName).toBe('PERMISSION_DENIED');
    expect(error.details).toBe(`node: "node-b" is not this client's node (its certificate names "node-a")`);
    expect(server.fake.calls).toEqual([]);
  });

  it('may not call operator RPCs', async () => {
    const node = clientAs(pki.issue(ca, 'node-a3', 'node:node-a'));
    const error = await rpcFailureOf(node.listNodes());
    expect(error.codeName).toBe('PERMISSION_DENIED');
    expect(error.details).toMatch(/^ListNodes is for operators; a node certificate may call RegisterNode, /);
  });
});

describe('an operator certificate (CN operator:<name>)', () => {
  it('may act for any node and read everything', async () => {
    const operator = clientAs(pki.issue(ca, 'alice', 'operator:alice'));
    await operator.allocateIp({ node: 'node-b', pod, container_id: 'c1' });
    expect(server.fake.lastCall().ctx.actor).toBe('operator/alice');
    expect((await operator.listNodes()).nodes).toHaveLength(2);
  });
});

describe('other clients', () => {
  it('a certificate of the CA naming no ipledger identity is UNAUTHENTICATED', async () => {
    const stranger = clientAs(pki.issue(ca, 'stranger', 'web-frontend'));
    const error = await rpcFailureOf(stranger.listNodes());
    expect(error.codeName).toBe('UNAUTHENTICATED');
    expect(error.details).toBe('client certificate CN "web-frontend" is neither node:<node name> nor operator:<name>');
  });

  it('a certificate from another CA is refused at the handshake', async () => {
    const otherCa = pki.authority('other-ca');
    const impostor = clientAs(pki.issue(otherCa, 'impostor', 'operator:mallory'));
    const error = await rpcFailureOf(impostor.listNodes({}, { timeoutMs: 2_000 }));
    expect(error.codeName).toBe('UNAVAILABLE');
    expect(server.fake.calls.filter((c) => c.ctx.actor === 'operator/mallory')).toEqual([]);
  });

  it('a client without a certificate is refused at the handshake', async () => {
    const error = await rpcFailureOf(clientAs(null).listNodes({}, { timeoutMs: 2_000 }));
    expect(error.codeName).toBe('UNAVAILABLE');
  });

  it('the health service answers callers with a valid certificate', async () => {
    const node = pki.issue(ca, 'node-h', 'node:node-h');
    const status = await checkHealth(server.address, {
      credentials: mutualTlsCredentials({ ca: ca.cert, cert: node.cert, key: node.key }),
    });
    expect(status).toBe('SERVING');
  });
});
