// The server span of one RPC, as every RPC of ipledger.v1.Allocator gets it: named after the method, a child
// of the caller's traceparent (gRPC metadata), with the resulting gRPC status as `rpc.grpc.status_code` (and
// an error status on failure); AllocateIp's duration also goes to ipledger_allocate_duration_seconds by that
// status. The interceptor (grpc-telemetry.interceptor.ts) and the hot methods' direct path (traced-rpc.ts)
// both go through here, so the two cannot drift apart.
import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { ALLOCATOR_SERVICE_FULL_NAME } from '@ipledger/proto';
import { extractFromGrpcMetadata, type MetadataLike, type Metrics } from '@ipledger/telemetry';
import { statusName, toGrpcFailure } from './grpc-status.mapper.js';

export const ALLOCATOR_TRACER = 'ipledger-allocator';

export class RpcSpan {
  /** The caller's context with this span in it: run the handler in it. */
  readonly context: Context;
  /** What ends up in `rpc.grpc.status_code`; a call that neither completes nor fails was cancelled. */
  private status = 'CANCELLED';
  private readonly started = performance.now();

  private constructor(
    private readonly span: Span,
    parent: Context,
    private readonly rpc: string,
    private readonly metrics: Metrics,
  ) {
    this.context = trace.setSpan(parent, span);
  }

  static start(tracer: Tracer, metrics: Metrics, rpc: string, metadata: MetadataLike): RpcSpan {
    const parent = extractFromGrpcMetadata(metadata, ROOT_CONTEXT);
    const span = tracer.startSpan(
      `${ALLOCATOR_SERVICE_FULL_NAME}/${rpc}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'rpc.system': 'grpc', 'rpc.service': ALLOCATOR_SERVICE_FULL_NAME, 'rpc.method': rpc },
      },
      parent,
    );
    return new RpcSpan(span, parent, rpc, metrics);
  }

  succeeded(): void {
    this.status = 'OK';
  }

  /** The status the exception filter will answer with (one mapping: grpc-status.mapper.ts). */
  failed(error: unknown): void {
    this.status = statusName(toGrpcFailure(error).code);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: this.status });
  }

  end(): void {
    this.span.setAttribute('rpc.grpc.status_code', this.status);
    this.span.end();
    if (this.rpc === 'AllocateIp') {
      this.metrics.recordAllocateDuration((performance.now() - this.started) / 1000, { code: this.status });
    }
  }
}
