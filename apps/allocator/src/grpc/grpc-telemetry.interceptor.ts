// Every RPC runs inside a server span whose parent is the caller's traceparent (gRPC metadata), so that
// the application services, their events and their cloud calls join the caller's trace (rpc-span.ts). The
// hot methods (AllocateIp, ReleaseIp) open the same span without this interceptor: see traced-rpc.ts.
import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { type MetadataLike, type Metrics } from '@ipledger/telemetry';
import { METRICS } from '../allocator.tokens.js';
import { rpcNameOf } from './rpc-name.js';
import { ALLOCATOR_TRACER, RpcSpan } from './rpc-span.js';

@Injectable()
export class GrpcTelemetryInterceptor implements NestInterceptor {
  private readonly tracer = trace.getTracer(ALLOCATOR_TRACER);

  constructor(@Inject(METRICS) private readonly metrics: Metrics) {}

  intercept(executionContext: ExecutionContext, next: CallHandler): Observable<unknown> {
    const metadata = executionContext.switchToRpc().getContext<MetadataLike>();
    const span = RpcSpan.start(this.tracer, this.metrics, rpcNameOf(executionContext), metadata);

    return new Observable((subscriber) => {
      // Subscribing inside the span's context makes the handler (and everything it awaits) run in it.
      const subscription = context.with(span.context, () =>
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            span.failed(error);
            subscriber.error(error);
          },
          complete: () => {
            span.succeeded();
            subscriber.complete();
          },
        }),
      );
      return () => {
        subscription.unsubscribe();
        span.end();
      };
    });
  }
}
