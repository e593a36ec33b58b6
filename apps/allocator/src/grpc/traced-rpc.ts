// The hot methods' way into their server span. AllocateIp and ReleaseIp are most of the allocator's calls;
// Nest's interceptor pipeline costs each of them a chain of Observables and async resources, so they open
// their span (rpc-span.ts, the same as the interceptor's) around their body instead. They stay Nest handlers:
// the guard runs before them and the exception filter maps what they throw, exactly as for the other RPCs.
import { Inject, Injectable } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import { type MetadataLike, type Metrics } from '@ipledger/telemetry';
import { METRICS } from '../allocator.tokens.js';
import { ALLOCATOR_TRACER, RpcSpan } from './rpc-span.js';

@Injectable()
export class TracedRpc {
  private readonly tracer = trace.getTracer(ALLOCATOR_TRACER);

  constructor(@Inject(METRICS) private readonly metrics: Metrics) {}

  /** Runs `handle` (validation included) in the RPC's server span and records how it ended. */
  async run<T>(rpc: string, metadata: MetadataLike, handle: () => Promise<T>): Promise<T> {
    const span = RpcSpan.start(this.tracer, this.metrics, rpc, metadata);
    try {
      const reply = await context.with(span.context, handle);
      span.succeeded();
      return reply;
    } catch (error) {
      span.failed(error);
      throw error;
    } finally {
      span.end();
    }
  }
}
