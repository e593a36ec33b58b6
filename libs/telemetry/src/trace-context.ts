// W3C Trace Context (traceparent) across ipledger's hops: gRPC metadata, NATS headers and the metadata of
// recorded events. The codec is ours and needs only @opentelemetry/api, so these helpers work the same
// whether or not this process started the SDK.
import {
  type Context,
  context as otelContext,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
  TraceFlags,
} from '@opentelemetry/api';

export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** `00-<trace id>-<span id>-<flags>`, or null for an invalid span context. */
export function formatTraceparent(spanContext: SpanContext): string | null {
  if (!trace.isSpanContextValid(spanContext)) {
    return null;
  }
  const flags = (spanContext.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The remote span context a traceparent names, or null when it is malformed. */
export function parseTraceparent(traceparent: string, tracestate?: string): SpanContext | null {
  const match = TRACEPARENT_FORMAT.exec(traceparent.trim());
  if (!match || match[1] === 'ff' || (match[1] === '00' && match[5] !== undefined)) {
    return null;
  }
  const spanContext: SpanContext = {
    traceId: match[2],
    spanId: match[3],
    traceFlags: parseInt(match[4], 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (!trace.isSpanContextValid(spanContext)) {
    return null;
  }
  return tracestate ? { ...spanContext, traceState: parseTraceState(tracestate) } : spanContext;
}

/** The traceparent of the active span (or of `ctx`), for event metadata and outgoing messages. */
export function currentTraceparent(ctx: Context = otelContext.active()): string | null {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext ? formatTraceparent(spanContext) : null;
}

/** A context whose parent is the span a traceparent names; `base` unchanged when it names none. */
export function contextFromTraceparent(
  traceparent: string | null | undefined,
  base: Context = otelContext.active(),
  tracestate?: string,
): Context {
  const spanContext = traceparent ? parseTraceparent(traceparent, tracestate) : null;
  return spanContext ? trace.setSpanContext(base, spanContext) : base;
}

/** gRPC metadata as far as these helpers touch it (grpc-js `Metadata` fits). */
export interface MetadataLike {
  get(key: string): unknown[];
  set(key: string, value: string): void;
}

/** NATS message headers as far as these helpers touch them (`MsgHdrs` fits). */
export interface HeadersLike {
  get(key: string): string;
  set(key: string, value: string): void;
}

export function injectIntoGrpcMetadata(metadata: MetadataLike, ctx: Context = otelContext.active()): void {
  injectWith(ctx, (key, value) => metadata.set(key, value));
}

export function extractFromGrpcMetadata(metadata: MetadataLike, base: Context = otelContext.active()): Context {
  const first = (key: string): string | undefined => {
    const [value] = metadata.get(key);
    return typeof value === 'string' ? value : undefined;
  };
  return contextFromTraceparent(first(TRACEPARENT), base, first(TRACESTATE));
}

export function injectIntoHeaders(headers: HeadersLike, ctx: Context = otelContext.active()): void {
  injectWith(ctx, (key, value) => headers.set(key, value));
}

export function extractFromHeaders(headers: HeadersLike, base: Context = otelContext.active()): Context {
  const tracestate = headers.get(TRACESTATE);
  return contextFromTraceparent(headers.get(TRACEPARENT), base, tracestate === '' ? undefined : tracestate);
}

/** For recorded events: `{ traceparent }` to merge into their metadata, empty outside a trace. */
export function traceMetadata(ctx: Context = otelContext.active()): { traceparent?: string } {
  const traceparent = currentTraceparent(ctx);
  return traceparent ? { traceparent } : {};
}

function injectWith(ctx: Context, set: (key: string, value: string) => void): void {
  const spanContext = trace.getSpanContext(ctx);
  const traceparent = spanContext ? formatTraceparent(spanContext) : null;
  if (!spanContext || !traceparent) {
    return;
  }
  set(TRACEPARENT, traceparent);
  const tracestate = spanContext.traceState?.serialize();
  if (tracestate) {
    set(TRACESTATE, tracestate);
  }
}

function parseTraceState(text: string): SpanContext['traceState'] {
  const entries = text
    .split(',')
    .map((member) => member.trim().split('='))
    .filter((pair): pair is [string, string] => pair.length === 2 && pair[0] !== '');
  const state = new Map(entries);
  const make = (map: Map<string, string>): NonNullable<SpanContext['traceState']> => ({
    set: (key, value) => make(new Map([[key, value], ...[...map].filter(([k]) => k !== key)])),
    unset: (key) => make(new Map([...map].filter(([k]) => k !== key))),
    get: (key) => map.get(key),
    serialize: () => [...map].map(([k, v]) => `${k}=${v}`).join(','),
  });
  return make(state);
}

/** The SDK's propagator: traceparent/tracestate through the codec above, nothing else. */
export class TraceparentPropagator implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    injectWith(ctx, (key, value) => setter.set(carrier, key, value));
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const read = (key: string): string | undefined => {
      const value = getter.get(carrier, key);
      return Array.isArray(value) ? value[0] : value;
    };
    return contextFromTraceparent(read(TRACEPARENT), ctx, read(TRACESTATE));
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}
