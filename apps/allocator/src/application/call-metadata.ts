import type { EventMetadata } from '@ipledger/event-store';
import type { CallContext } from '../ports/index.js';

/** The event metadata of what a call causes: who asked, and the trace it belongs to. */
export function callMetadata(ctx: CallContext): Partial<EventMetadata> {
  return ctx.traceparent ? { actor: ctx.actor, traceparent: ctx.traceparent } : { actor: ctx.actor };
}
