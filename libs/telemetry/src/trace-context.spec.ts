import * as grpc from '@grpc/grpc-js';
import { headers } from '@nats-io/transport-node';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  contextFromTraceparent,
  currentTraceparent,
  extractFromGrpcMetadata,
  extractFromHeaders,
  formatTraceparent,
  injectIntoGrpcMetadata,
  injectIntoHeaders,
  parseTraceparent,
  traceMetadata,
  TraceparentPropagator,
} from './trace-context.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const remote = contextFromTraceparent(TRACEPARENT, ROOT_CONTEXT);

describe('traceparent codec', () => {
  it('parses and formats a W3C traceparent', () => {
    const spanContext = parseTraceparent(TRACEPARENT);
    expect(spanContext).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(formatTraceparent(spanContext!)).toBe(TRACEPARENT);
  });

  it.each([
    'garbage',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7',
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
  ])('rejects %s', (text) => {
    expect(parseTraceparent(text)).toBeNull();
  });

  it('accepts future versions with extra fields', () => {
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more')).not.toBeNull();
  });

  it('leaves the context alone for a missing or malformed traceparent', () => {
    expect(contextFromTraceparent(undefined, ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
    expect(contextFromTraceparent('nope', ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
    expect(currentTraceparent(ROOT_CONTEXT)).toBeNull();
    expect(traceMetadata(ROOT_CONTEXT)).toEqual({});
  });

  it('gives the traceparent of a context for event metadata', () => {
    expect(currentTraceparent(remote)).toBe(TRACEPARENT);
    expect(traceMetadata(remote)).toEqual({ traceparent: TRACEPARENT });
  });
});

describe('carriers', () => {
  it('round-trips through gRPC metadata, tracestate included', () => {
    const withState = contextFromTraceparent(TRACEPARENT, ROOT_CONTEXT, 'vendor=a,other=b');
    const metadata = new grpc.Metadata();
    injectIntoGrpcMetadata(metadata, withState);
    expect(metadata.get('traceparent')).toEqual([TRACEPARENT]);
    expect(metadata.get('tracestate')).toEqual(['vendor=a,other=b']);
    const extracted = extractFromGrpcMetadata(metadata, ROOT_CONTEXT);
    expect(trace.getSpanContext(extracted)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(trace.getSpanContext(extracted)?.traceState?.get('other')).toBe('b');
  });

  it('round-trips through NATS headers', () => {
    const natsHeaders = headers();
    injectIntoHeaders(natsHeaders, remote);
    expect(natsHeaders.get('traceparent')).toBe(TRACEPARENT);
    expect(currentTraceparent(extractFromHeaders(natsHeaders, ROOT_CONTEXT))).toBe(TRACEPARENT);
  });

  it('writes nothing outside a trace', () => {
    const metadata = new grpc.Metadata();
    injectIntoGrpcMetadata(metadata, ROOT_CONTEXT);
    expect(metadata.getMap()).toEqual({});
  });

  it('serves as the SDK propagator', () => {
    const propagator = new TraceparentPropagator();
    const carrier: Record<string, string> = {};
    propagator.inject(remote, carrier, { set: (c, k, v) => ((c as Record<string, string>)[k] = v) });
    expect(carrier).toEqual({ traceparent: TRACEPARENT });
    const back = propagator.extract(ROOT_CONTEXT, carrier, {
      get: (c, k) => (c as Record<string, string>)[k],
      keys: (c) => Object.keys(c as object),
    });
    expect(currentTraceparent(back)).toBe(TRACEPARENT);
    expect(propagator.fields()).toEqual(['traceparent', 'tracestate']);
  });
});
