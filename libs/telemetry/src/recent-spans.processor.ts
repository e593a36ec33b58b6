// Keeps the last finished spans in memory, so that traces exist (and tests and debugging can read them)
// without sending anything over the network. Bounded: old spans fall out.
import { type Context } from '@opentelemetry/api';
import { type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

export class RecentSpansProcessor implements SpanProcessor {
  private spans: ReadableSpan[] = [];

  constructor(private readonly capacity = 2_000) {}

  onStart(_span: Span, _parentContext: Context): void {}

  /**
   * Every RPC ends a span here. Old spans go in bulk, once twice the capacity is held: dropping one per span
   * would copy the whole buffer on every call.
   */
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
    if (this.spans.length >= 2 * this.capacity) {
      this.spans = this.spans.slice(-this.capacity);
    }
  }

  /** The last `capacity` finished spans, oldest first. */
  recent(): readonly ReadableSpan[] {
    return this.spans.length > this.capacity ? this.spans.slice(-this.capacity) : this.spans;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.spans = [];
    return Promise.resolve();
  }
}
