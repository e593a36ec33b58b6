// A small promise-based client for ipledger.v1.Allocator, for the node agent, the CLI and tests. Every
// call carries a deadline and the caller's trace context (W3C traceparent from the active OpenTelemetry
// context) in its metadata; History is an async iterable that cancels the stream when the loop stops.
import * as grpc from '@grpc/grpc-js';
import { context, propagation } from '@opentelemetry/api';
import { loadAllocatorPackage } from './allocator-proto.js';
import { AllocatorRpcError } from './allocator-rpc.error.js';
import type * as m from './allocator.messages.js';

export interface AllocatorCallOptions {
  /** Milliseconds before the call fails with DEADLINE_EXCEEDED; defaults to the client's default. */
  timeoutMs?: number;
  /** Extra metadata; the trace context is added on top. */
  metadata?: Record<string, string>;
  /** Cancels the call (it then fails with CANCELLED). */
  signal?: AbortSignal;
}

export interface AllocatorClientOptions {
  /** Defaults to plaintext. */
  credentials?: grpc.ChannelCredentials;
  /** Deadline of unary calls unless a call says otherwise; History has none by default. */
  defaultTimeoutMs?: number;
  channelOptions?: grpc.ChannelOptions;
  /**
   * With TLS credentials: the name the allocator's certificate must carry (a DNS or IP subjectAltName) and
   * the one sent as SNI, when it differs from the host dialled. Node agents dial the allocator Service's
   * cluster IP, which no certificate names. Default: the dialled host.
   */
  tlsServerName?: string;
}

export interface AllocatorClient {
  registerNode(request: m.RegisterNodeRequest, options?: AllocatorCallOptions): Promise<m.NodeView>;
  allocateIp(request: m.AllocateIpRequest, options?: AllocatorCallOptions): Promise<m.Allocation>;
  releaseIp(request: m.ReleaseIpRequest, options?: AllocatorCallOptions): Promise<m.ReleaseIpReply>;
  getAllocation(request: m.GetAllocationRequest, options?: AllocatorCallOptions): Promise<m.Allocation>;
  listAllocations(request: m.ListAllocationsRequest, options?: AllocatorCallOptions): Promise<m.ListAllocationsReply>;
  describePool(request: m.DescribePoolRequest, options?: AllocatorCallOptions): Promise<m.PoolView>;
  listNodes(request?: m.ListNodesRequest, options?: AllocatorCallOptions): Promise<m.ListNodesReply>;
  /** Entries oldest first; breaking out of the loop cancels the stream. */
  history(request: m.HistoryRequest, options?: AllocatorCallOptions): AsyncIterable<m.HistoryEntry>;
  /** Resolves once the channel is connected, rejects after `timeoutMs`. */
  waitForReady(timeoutMs: number): Promise<void>;
  close(): void;
}

type UnaryMethod = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, reply: unknown) => void,
) => grpc.ClientUnaryCall;
type StreamMethod = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
) => grpc.ClientReadableStream<unknown>;

export const DEFAULT_ALLOCATOR_TIMEOUT_MS = 10_000;

let allocatorConstructor: grpc.ServiceClientConstructor | undefined;

function allocatorClientConstructor(): grpc.ServiceClientConstructor {
  if (!allocatorConstructor) {
    const pkg = loadAllocatorPackage() as { ipledger: { v1: { Allocator: grpc.ServiceClientConstructor } } };
    allocatorConstructor = pkg.ipledger.v1.Allocator;
  }
  return allocatorConstructor;
}

export function createAllocatorClient(address: string, options: AllocatorClientOptions = {}): AllocatorClient {
  const Constructor = allocatorClientConstructor();
  const channelOptions: grpc.ChannelOptions = { ...options.channelOptions };
  if (options.tlsServerName !== undefined) {
    channelOptions['grpc.ssl_target_name_override'] = options.tlsServerName;
  }
  const client = new Constructor(
    address,
    options.credentials ?? grpc.credentials.createInsecure(),
    channelOptions,
  ) as unknown as grpc.Client & Record<m.AllocatorRpc, unknown>;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_ALLOCATOR_TIMEOUT_MS;

  const unary =
    <Req, Res>(rpc: m.AllocatorRpc) =>
    (request: Req, callOptions: AllocatorCallOptions = {}): Promise<Res> =>
      new Promise<Res>((resolve, reject) => {
        const deadline = Date.now() + (callOptions.timeoutMs ?? defaultTimeoutMs);
        const method = (client[rpc] as UnaryMethod).bind(client);
        const call = method(request, outgoingMetadata(callOptions), { deadline }, (error, reply) =>
          error ? reject(AllocatorRpcError.from(rpc, error)) : resolve(reply as Res),
        );
        cancelOnAbort(callOptions.signal, call);
      });

  return {
    registerNode: unary('RegisterNode'),
    allocateIp: unary('AllocateIp'),
    releaseIp: unary('ReleaseIp'),
    getAllocation: unary('GetAllocation'),
    listAllocations: unary('ListAllocations'),
    describePool: unary('DescribePool'),
    listNodes: (request = {}, callOptions) =>
      unary<m.ListNodesRequest, m.ListNodesReply>('ListNodes')(request, callOptions),
    history: (request, callOptions = {}) =>
      historyStream((client.History as StreamMethod).bind(client), request, callOptions),
    waitForReady: (timeoutMs) =>
      new Promise<void>((resolve, reject) =>
        client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve())),
      ),
    close: () => client.close(),
  };
}

async function* historyStream(
  method: StreamMethod,
  request: m.HistoryRequest,
  callOptions: AllocatorCallOptions,
): AsyncGenerator<m.HistoryEntry> {
  const grpcOptions: grpc.CallOptions =
    callOptions.timeoutMs === undefined ? {} : { deadline: Date.now() + callOptions.timeoutMs };
  const stream = method(request, outgoingMetadata(callOptions), grpcOptions);
  cancelOnAbort(callOptions.signal, stream);
  try {
    for await (const entry of stream) {
      yield entry as m.HistoryEntry;
    }
  } catch (error) {
    throw AllocatorRpcError.from('History', error);
  } finally {
    stream.cancel();
  }
}

function outgoingMetadata(callOptions: AllocatorCallOptions): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(callOptions.metadata ?? {})) {
    metadata.set(key, value);
  }
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  for (const [key, value] of Object.entries(carrier)) {
    metadata.set(key, value);
  }
  return metadata;
}

function cancelOnAbort(signal: AbortSignal | undefined, call: { cancel(): void }): void {
  if (!signal) {
    return;
  }
  if (signal.aborted) {
    call.cancel();
    return;
  }
  signal.addEventListener('abort', () => call.cancel(), { once: true });
}

/** Channel credentials for mutual TLS from PEM contents (CA that signed the allocator, our cert and key). */
export function mutualTlsCredentials(pem: { ca: Buffer; cert: Buffer; key: Buffer }): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(pem.ca, pem.key, pem.cert);
}
