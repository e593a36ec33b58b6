// Shutdown through Nest's signal hooks, as in production: health turns NOT_SERVING first, a call in flight
// still gets its answer, then the server goes away. The signal is SIGUSR2, sent to this test process; a
// listener of our own keeps the process alive when Nest re-raises it at the end.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { service as healthService } from 'grpc-health-check';
import { type AllocatorClient, checkHealth, createAllocatorClient } from '@ipledger/proto';
import { waitUntil } from '@ipledger/testing';
import { startTestServer, type TestServer } from './testing/grpc-test-server.js';

const SIGNAL = 'SIGUSR2';
const keepAlive = (): void => undefined;
let server: TestServer;
let client: AllocatorClient;

beforeAll(async () => {
  process.on(SIGNAL, keepAlive);
  server = await startTestServer({ shutdownGraceMs: 1_500 });
  server.app.enableShutdownHooks([SIGNAL]);
  client = createAllocatorClient(server.address, { defaultTimeoutMs: 5_000 });
});
afterAll(() => {
  client.close();
  process.off(SIGNAL, keepAlive);
});

it('reports NOT_SERVING, drains the call in flight, then stops', async () => {
  expect(await checkHealth(server.address)).toBe('SERVING');
  const statuses = watchHealth(server.address);
  await waitUntil(() => statuses.seen.includes('SERVING'), { message: 'first Watch status' });

  let release = (): void => undefined;
  server.fake.holdUntil = new Promise<void>((resolve) => (release = resolve));
  const inFlight = client.listNodes();
  await waitUntil(() => server.fake.calls.length === 1, { message: 'the call reached the service' });

  process.kill(process.pid, SIGNAL);
  await waitUntil(() => statuses.seen.includes('NOT_SERVING'), { message: 'NOT_SERVING on shutdown' });
  release();
  expect((await inFlight).nodes).toHaveLength(2);

  await waitUntil(() => statuses.ended, { message: 'the Watch stream to be cut' });
  await expect(checkHealth(server.address, { timeoutMs: 1_000 })).rejects.toMatchObject({
    code: grpc.status.UNAVAILABLE,
  });
});

/** Follows grpc.health.v1.Health/Watch for the whole server. */
function watchHealth(address: string): { seen: string[]; ended: boolean } {
  const Health = grpc.makeGenericClientConstructor(healthService, 'Health');
  const health = new Health(address, grpc.credentials.createInsecure()) as unknown as {
    watch(request: { service: string }): grpc.ClientReadableStream<{ status: string }>;
    close(): void;
  };
  const state = { seen: [] as string[], ended: false };
  const stream = health.watch({ service: '' });
  stream.on('data', (reply) => state.seen.push(reply.status));
  const end = (): void => {
    state.ended = true;
    health.close();
  };
  stream.on('error', end);
  stream.on('end', end);
  return state;
}
