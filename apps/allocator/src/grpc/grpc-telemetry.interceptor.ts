// Every RPC runs inside a server span whose parent is the caller's traceparent (gRPC metadata), so that
// the application services, their events and their cloud calls join the caller's trace. AllocateIp's
// duration goes to ipledger_allocate_duration_seconds by resulting status.
import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { ALLOCATOR_SERVICE_FULL_NAME } from '@ipledger/proto';
import { extractFromGrpcMetadata, type MetadataLike, type Metrics } from '@ipledger/telemetry';
import { METRICS } from '../allocator.tokens.js';
import { statusName, toGrpcFailure } from './grpc-status.mapper.js';
import { rpcNameOf } from './rpc-name.js';

@Injectable()
export class GrpcTelemetryInterceptor implements NestInterceptor {
  private readonly tracer = trace.getTracer('ipledger-allocator');

  constructor(@Inject(METRICS) private readonly metrics: Metrics) {}

  intercept(executionContext: ExecutionContext, next: CallHandler): Observable<unknown> {
    const rpc = rpcNameOf(executionContext);
    const parent = extractFromGrpcMetadata(executionContext.switchToRpc().getContext<MetadataLike>(), ROOT_CONTEXT);
    const span = this.tracer.startSpan(
      `${ALLOCATOR_SERVICE_FULL_NAME}/${rpc}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'rpc.system': 'grpc', 'rpc.service': ALLOCATOR_SERVICE_FULL_NAME, 'rpc.method': rpc },
      },
      parent,
    );
    const spanContext = trace.setSpan(parent, span);
    const started = performance.now();

    return new Observable((subscriber) => {
      let status = 'CANCELLED';
      const finish = (): void => {
        span.setAttribute('rpc.grpc.status_code', status);
        span.end();
        if (rpc === 'AllocateIp') {
          this.metrics.recordAllocateDuration((performance.now() - started) / 1000, { code: status });
        }
      };
      // Subscribing inside the span's context makes the handler (and everything it awaits) run in it.
      const subscription = context.with(spanContext, () =>
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            status = statusName(toGrpcFailure(error).code);
            span.setStatus({ code: SpanStatusCode.ERROR, message: status });
            subscriber.error(error);
          },
          complete: () => {
            status = 'OK';
            subscriber.complete();
          },
        }),
      );
      return () => {
        subscription.unsubscribe();
        finish();
      };
    });
  }
}
