// The gRPC edge end to end over a real socket: Nest microservice + health + reflection, called with the
// real grpc-js client of libs/proto; the application services behind it are fakes of our own ports.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { DomainError } from '@ipledger/domain';
import {
  type AllocatorClient,
  type AllocatorRpcError,
  checkHealth,
  createAllocatorClient,
  type HistoryEntry,
} from '@ipledger/proto';
import { startTelemetry, type Telemetry } from '@ipledger/telemetry';
import { rpcFailureOf, waitUntil } from '@ipledger/testing';
import { INTERNAL_MESSAGE } from './grpc-status.mapper.js';
import { startTestServer, type TestServer } from './testing/grpc-test-server.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const pod = { namespace: 'default', name: 'web-0', uid: '9f1c2a4e-0b5d-4c1e-8a57-1f2e3d4c5b6a' };

let server: TestServer;
let client: AllocatorClient;
let telemetry: Telemetry;

beforeAll(async () => {
  telemetry = await startTelemetry({ serviceName: 'allocator-grpc-spec', metricsAddr: null, env: {} });
  server = await startTestServer();
  client = createAllocatorClient(server.address, { defaultTimeoutMs: 5_000 });
});
afterAll(async () => {
  client.close();
  await server.app.close();
  await telemetry.shutdown();
});
beforeEach(() => {
  server.fake.reset();
  server.metrics.allocateDurations = [];
});

describe('health and reflection', () => {
  it('reports SERVING for the server and for ipledger.v1.Allocator once listening', async () => {
    expect(await checkHealth(server.address)).toBe('SERVING');
    expect(await checkHealth(server.address, { service: 'ipledger.v1.Allocator' })).toBe('SERVING');
  });

  it('lists ipledger.v1.Allocator and the health service through reflection', async () => {
    expect(await reflectedServices(server.address)).toEqual(
      expect.arrayContaining(['ipledger.v1.Allocator', 'grpc.health.v1.Health']),
    );
  });
});

describe('AllocateIp', () => {
  it('passes a domain command to the service and maps the allocation back', async () => {
    const reply = await client.allocateIp(
      { node: 'node-a', pod, container_id: 'c0ffee' },
      { metadata: { traceparent: TRACEPARENT } },
    );
    expect(reply).toEqual({
      pod,
      node: 'node-a',
      ip: '192.168.10.21',
      ipv6: '',
      prefix_length: 24,
      gateway: '192.168.10.253',
      vswitch_id: 'vsw-a1',
      vswitch_cidr: '192.168.10.0/24',
      eni: { id: 'eni-01', mac: '00:16:3e:00:00:01', trunk: false, vlan_id: 0 },
      mode: 'eniip',
      service_cidr: '172.21.0.0/20',
      fixed: false,
      container_id: 'c0ffee',
      allocated_at: '2026-11-21T06:00:00.000Z',
    });
    const call = server.fake.lastCall();
    expect(call.input).toEqual({
      node: 'node-a',
      pod,
      containerId: 'c0ffee',
      owner: null,
      idempotencyKey: `${pod.uid}/c0ffee`,
    });
    expect(call.ctx.actor).toBe('anonymous');
    // The service runs in the server span, a child of the caller's span, in the caller's trace.
    const serverSpan = telemetry.recentSpans().find((s) => s.name === 'ipledger.v1.Allocator/AllocateIp');
    expect(serverSpan?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(call.ctx.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${serverSpan?.spanContext().spanId}-01`);
    expect(serverSpan?.attributes['rpc.grpc.status_code']).toBe('OK');
    expect(server.metrics.allocateDurations.map((d) => d.code)).toEqual(['OK']);
  });

  it('names every malformed field in INVALID_ARGUMENT and never calls the service', async () => {
    const error = await rpcFailureOf(
      client.allocateIp({ node: 'Node_A', pod: { namespace: 'default', name: 'web-0' }, container_id: 'c1' }),
    );
    expect(error.codeName).toBe('INVALID_ARGUMENT');
    expect(error.details).toBe('node: must be a DNS-1123 subdomain; pod.uid: required');
    expect(error.field).toBe('node');
    expect(server.fake.calls).toEqual([]);
    expect(server.metrics.allocateDurations.map((d) => d.code)).toEqual(['INVALID_ARGUMENT']);
  });

  it('says which required message is missing', async () => {
    const error = await rpcFailureOf(client.allocateIp({ node: 'node-a', container_id: 'c1' }));
    expect(error.details).toBe('pod: required');
  });

  it.each([
    [new DomainError('resource-exhausted', 'no IP on node-a now', { reason: 'pool-empty' }), 'RESOURCE_EXHAUSTED'],
    [new DomainError('failed-precondition', 'node node-a is not registered'), 'FAILED_PRECONDITION'],
    [new DomainError('unavailable', 'cloud throttled: retry'), 'UNAVAILABLE'],
    [new DomainError('conflict', 'stream node-node-a moved on'), 'ABORTED'],
    [new DomainError('illegal-state', 'ENI is detaching'), 'FAILED_PRECONDITION'],
    [new DomainError('not-found', 'no such pod'), 'NOT_FOUND'],
  ])('maps %s to %s', async (domainError, codeName) => {
    server.fake.failWith = domainError;
    const error = await rpcFailureOf(client.allocateIp({ node: 'node-a', pod, container_id: 'c1' }));
    expect(error.codeName).toBe(codeName);
    expect(error.details).toContain(domainError.message);
  });

  it('puts the reason of RESOURCE_EXHAUSTED in the message and in ipledger-reason', async () => {
    server.fake.failWith = new DomainError('resource-exhausted', 'no IP on node-a now', { reason: 'eni-limit' });
    const error = await rpcFailureOf(client.allocateIp({ node: 'node-a', pod, container_id: 'c1' }));
    expect(error.details).toBe('no IP on node-a now (reason: eni-limit)');
    expect(error.reason).toBe('eni-limit');
  });

  it('answers INTERNAL with a generic message for errors nobody meant to raise', async () => {
    server.fake.failWith = new TypeError("Cannot read properties of undefined (reading 'ip')");
    const error = await rpcFailureOf(client.allocateIp({ node: 'node-a', pod, container_id: 'c1' }));
    expect(error.codeName).toBe('INTERNAL');
    expect(error.details).toBe(INTERNAL_MESSAGE);
  });
});

describe('the other RPCs', () => {
  it('RegisterNode defaults the mode to eniip and maps the node view', async () => {
    const view = await client.registerNode({
      node: 'node-b',
      instance_id: 'i-abc123',
      instance_type: 'ecs.g7.large',
      zone: 'cn-hangzhou-i',
    });
    expect(server.fake.lastCall().input).toEqual({
      node: 'node-b',
      instanceId: 'i-abc123',
      instanceType: 'ecs.g7.large',
      zone: 'cn-hangzhou-i',
      mode: 'eniip',
    });
    expect(view).toMatchObject({
      node: 'node-b',
      limits: { adapters: 3, ipv4_per_adapter: 10, trunk_supported: false },
      pool: { idle: 3, targets: { min_pool_size: 2, max_pool_size: 5 } },
      enis: [{ id: 'eni-01', primary_ip: '192.168.10.20', device_index: 1 }],
      registered_at: '2026-11-21T05:00:00.000Z',
    });
  });

  it('RegisterNode rejects an unknown mode', async () => {
    const error = await rpcFailureOf(
      client.registerNode({
        node: 'n',
        instance_id: 'i-1',
        instance_type: 'ecs.g7.large',
        zone: 'cn-x-a',
        mode: 'overlay',
      }),
    );
    expect(error.details).toBe('mode: must be one of eniip, eni, trunk, vpc (empty means eniip)');
  });

  it('ReleaseIp maps the reply', async () => {
    const reply = await client.releaseIp({ node: 'node-a', pod, container_id: 'c1', reason: 'CNI DEL' });
    expect(reply).toEqual({ released: true, ip: '192.168.10.21', held_until: '2026-11-21T06:01:00.000Z' });
    expect(server.fake.lastCall().input).toMatchObject({ node: 'node-a', reason: 'CNI DEL', containerId: 'c1' });
  });

  it('GetAllocation takes exactly one of pod or ip', async () => {
    await client.getAllocation({ ip: '192.168.10.21' });
    expect(server.fake.lastCall().input).toEqual({ by: 'ip', ip: '192.168.10.21' });
    await client.getAllocation({ pod: { namespace: 'default', name: 'web-0' } });
    expect(server.fake.lastCall().input).toEqual({
      by: 'pod',
      pod: { namespace: 'default', name: 'web-0', uid: null },
    });
    expect((await rpcFailureOf(client.getAllocation({ ip: '10.0.0.300' }))).details).toBe('ip: not an IPv4 address');
    expect((await rpcFailureOf(client.getAllocation({}))).details).toBe('pod, ip: give exactly one of pod or ip');
  });

  it('ListAllocations, DescribePool and ListNodes map their replies', async () => {
    expect((await client.listAllocations({ node: 'node-a' })).allocations).toHaveLength(1);
    expect(await client.describePool({ node: 'node-a' })).toMatchObject({ node: 'node-a', idle: 3, max_pods: 27 });
    expect((await client.listNodes()).nodes.map((n) => n.node)).toEqual(['node-a', 'node-b']);
    expect((await rpcFailureOf(client.describePool({}))).details).toBe('node: required');
  });
});

describe('server spans', () => {
  // The hot RPCs open their span without the interceptor (traced-rpc.ts); every RPC must still get the same one.
  const spanOf = (rpc: string) =>
    telemetry
      .recentSpans()
      .filter((s) => s.name === `ipledger.v1.Allocator/${rpc}`)
      .at(-1);

  it.each([
    [
      'AllocateIp',
      () => client.allocateIp({ node: 'node-a', pod, container_id: 'c1' }, { metadata: { traceparent: TRACEPARENT } }),
    ],
    [
      'ReleaseIp',
      () => client.releaseIp({ node: 'node-a', pod, container_id: 'c1' }, { metadata: { traceparent: TRACEPARENT } }),
    ],
    ['DescribePool', () => client.describePool({ node: 'node-a' }, { metadata: { traceparent: TRACEPARENT } })],
    [
      'RegisterNode',
      () =>
        client.registerNode(
          { node: 'node-a', instance_id: 'i-a', instance_type: 'ecs.g7.large', zone: 'cn-hangzhou-i' },
          { metadata: { traceparent: TRACEPARENT } },
        ),
    ],
  ] as const)('%s runs in a server span that is a child of the caller, with status OK', async (rpc, call) => {
    await call();
    const span = spanOf(rpc);
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.service': 'ipledger.v1.Allocator',
      'rpc.method': rpc,
      'rpc.grpc.status_code': 'OK',
    });
    expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(server.fake.lastCall().ctx.traceparent).toBe(
      `00-4bf92f3577b34da6a3ce929d0e0e4736-${span?.spanContext().spanId}-01`,
    );
  });

  it.each([
    ['AllocateIp', () => client.allocateIp({ node: 'node-a', pod, container_id: 'c1' })],
    ['ReleaseIp', () => client.releaseIp({ node: 'node-a', pod, container_id: 'c1' })],
    ['DescribePool', () => client.describePool({ node: 'node-a' })],
  ] as const)('%s records the status it failed with on its span', async (rpc, call) => {
    server.fake.failWith = new DomainError('unavailable', 'cloud throttled: retry');
    expect((await rpcFailureOf(call())).codeName).toBe('UNAVAILABLE');
    const span = spanOf(rpc);
    expect(span?.attributes['rpc.grpc.status_code']).toBe('UNAVAILABLE');
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'UNAVAILABLE' });
  });

  it('records the duration of AllocateIp only, by status', async () => {
    await client.releaseIp({ node: 'node-a', pod, container_id: 'c1' });
    await client.allocateIp({ node: 'node-a', pod, container_id: 'c1' });
    server.fake.failWith = new DomainError('resource-exhausted', 'no IP on node-a now', { reason: 'no-idle-ip' });
    await rpcFailureOf(client.allocateIp({ node: 'node-a', pod, container_id: 'c2' }));
    expect(server.metrics.allocateDurations.map((d) => d.code)).toEqual(['OK', 'RESOURCE_EXHAUSTED']);
  });
});

describe('History', () => {
  const entries = [1, 2, 3].map((n) => ({
    position: String(9_007_199_254_740_990n + BigInt(n)),
    stream: 'node-node-a',
    type: 'IpAllocated',
    at: `2026-11-21T06:00:0${n}.000Z`,
    dataJson: JSON.stringify({ n }),
  }));

  it('streams the entries oldest first, positions as decimal strings', async () => {
    server.fake.history = entries;
    const received: HistoryEntry[] = [];
    for await (const entry of client.history({ ip: '192.168.10.21', from: '2026-11-21T07:00:00+01:00' })) {
      received.push(entry);
    }
    expect(received.map((e) => e.position)).toEqual(['9007199254740991', '9007199254740992', '9007199254740993']);
    expect(received[0]).toMatchObject({ stream: 'node-node-a', data_json: '{"n":1}' });
    expect(server.fake.lastCall().input).toEqual({
      subject: { kind: 'ip', ip: '192.168.10.21' },
      from: '2026-11-21T06:00:00.000Z',
      to: null,
    });
  });

  it('rejects malformed bounds and ambiguous subjects with INVALID_ARGUMENT', async () => {
    const collect = async (request: Parameters<AllocatorClient['history']>[0]): Promise<AllocatorRpcError> => {
      try {
        for await (const _ of client.history(request)) {
          // nothing expected
        }
      } catch (error) {
        return error as AllocatorRpcError;
      }
      throw new Error('the stream ended without an error');
    };
    expect((await collect({ node: 'node-a', from: 'yesterday' })).details).toBe('from: not an RFC 3339 time');
    expect((await collect({ node: 'node-a', eni: 'eni-1' })).details).toBe(
      'node, eni: give exactly one of ip, pod, node or eni',
    );
    expect((await collect({ eni: 'eni-1', from: '2026-11-21T00:00:00Z', to: '2026-11-20T00:00:00Z' })).codeName).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('ends the stream with the mapped status when the service fails midway', async () => {
    server.fake.history = entries.slice(0, 1);
    server.fake.failWith = new DomainError('unavailable', 'event store unreachable');
    const received: string[] = [];
    const error = await (async () => {
      try {
        for await (const entry of client.history({ node: 'node-a' })) {
          received.push(entry.position);
        }
      } catch (e) {
        return e as AllocatorRpcError;
      }
      return null;
    })();
    expect(received).toEqual([entries[0].position]);
    expect(error?.codeName).toBe('UNAVAILABLE');
  });
});

describe('client deadlines and cancellation', () => {
  it('fails with DEADLINE_EXCEEDED after timeoutMs and aborts the service call', async () => {
    let release = (): void => undefined;
    server.fake.holdUntil = new Promise<void>((resolve) => (release = resolve));
    const error = await rpcFailureOf(client.listNodes({}, { timeoutMs: 200 }));
    release();
    expect(error.codeName).toBe('DEADLINE_EXCEEDED');
    await waitUntil(() => server.fake.lastCall().ctx.signal.aborted, { message: 'ctx.signal aborted' });
  });

  it('fails with CANCELLED when the caller aborts', async () => {
    let release = (): void => undefined;
    server.fake.holdUntil = new Promise<void>((resolve) => (release = resolve));
    const aborter = new AbortController();
    const pending = rpcFailureOf(client.describePool({ node: 'node-a' }, { signal: aborter.signal }));
    await waitUntil(() => server.fake.calls.length === 1, { message: 'the call reached the service' });
    aborter.abort();
    release();
    expect((await pending).codeName).toBe('CANCELLED');
  });

  it('cancels the History stream when the loop stops early', async () => {
    server.fake.history = Array.from({ length: 50 }, (_, n) => ({
      position: String(n + 1),
      stream: 'node-node-a',
      type: 'IpsAssigned',
      at: '2026-11-21T06:00:00.000Z',
      dataJson: '{}',
    }));
    for await (const entry of client.history({ node: 'node-a' })) {
      expect(entry.position).toBe('1');
      break;
    }
    await waitUntil(() => server.fake.lastCall().ctx.signal.aborted, { message: 'the stream to be cancelled' });
  });

  it('waits for the channel to be ready', async () => {
    await expect(client.waitForReady(2_000)).resolves.toBeUndefined();
  });
});

/** The service names the server's reflection service lists (grpc.reflection.v1). */
async function reflectedServices(address: string): Promise<string[]> {
  const root = join(import.meta.dirname, '../../../../node_modules/@grpc/reflection/build/proto');
  const definition = protoLoader.loadSync('grpc/reflection/v1/reflection.proto', {
    keepCase: true,
    includeDirs: [root],
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
  };
  const reflection = new pkg.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const stream = (
        reflection as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<unknown, unknown> }
      ).ServerReflectionInfo();
      stream.on('data', (reply: { list_services_response?: { service: { name: string }[] } }) => {
        resolve((reply.list_services_response?.service ?? []).map((s) => s.name));
        stream.end();
      });
      stream.on('error', reject);
      stream.write({ list_services: '' });
    });
  } finally {
    reflection.close();
  }
}
