// The allocator client with mutual TLS against a real TLS server (grpc-js with the health service,
// certificates made by openssl): the server's certificate names only `allocator.test`, never the 127.0.0.1
// the client dials, so the handshake passes only when the client is told which name to expect.
import * as grpc from '@grpc/grpc-js';
import { freePort, type Pem, TestPki } from '@ipledger/testing';
import { HealthImplementation } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AllocatorClient, createAllocatorClient, mutualTlsCredentials } from './allocator.client.js';

let pki: TestPki;
let ca: Pem;
let client: Pem;
let server: grpc.Server;
let address: string;

beforeAll(async () => {
  pki = new TestPki();
  ca = pki.authority('proto-test-ca');
  const serverPem = pki.issue(ca, 'server', 'allocator', 'DNS:allocator.test');
  client = pki.issue(ca, 'client', 'node:node-a');
  server = new grpc.Server();
  new HealthImplementation({ '': 'SERVING' }).addToServer(server);
  address = `127.0.0.1:${await freePort()}`;
  const credentials = grpc.ServerCredentials.createSsl(ca.cert, [
    { cert_chain: serverPem.cert, private_key: serverPem.key },
  ]);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(address, credentials, (error) => (error ? reject(error) : resolve())),
  );
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.tryShutdown(() => resolve()));
  pki?.cleanup();
});

const clients: AllocatorClient[] = [];
afterAll(() => clients.forEach((c) => c.close()));

/** Whether a client (our certificate, trusting the test CA) completes the handshake within 2 s. */
async function connects(tlsServerName?: string): Promise<boolean> {
  const credentials = mutualTlsCredentials({ ca: ca.cert, cert: client.cert, key: client.key });
  const allocator = createAllocatorClient(address, { credentials, tlsServerName });
  clients.push(allocator);
  return allocator.waitForReady(2_000).then(
    () => true,
    () => false,
  );
}

describe('createAllocatorClient with mutual TLS', () => {
  it('checks the server certificate against tlsServerName instead of the dialled host', async () => {
    expect(await connects('allocator.test')).toBe(true);
  });

  it('refuses a server whose certificate does not name the dialled host', async () => {
    expect(await connects()).toBe(false);
  });

  it('refuses a server certificate that does not name tlsServerName', async () => {
    expect(await connects('someone-else.test')).toBe(false);
  });
});
