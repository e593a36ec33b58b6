import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { callContextOf, type GrpcCall } from './call-context.factory.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** Enough of a grpc-js server call: its `cancelled` flag, set before the 'cancelled' event, as grpc-js does. */
class FakeCall extends EventEmitter implements GrpcCall {
  cancelled = false;

  cancel(): void {
    this.cancelled = true;
    this.emit('cancelled', 'cancelled');
  }
}

const metadata = (values: Record<string, string> = {}) => ({
  get: (key: string) => (key in values ? [values[key]] : []),
  set: () => undefined,
});

describe('callContextOf', () => {
  it('aborts the signal when the call is cancelled after the signal was read', () => {
    const call = new FakeCall();
    const ctx = callContextOf(call, metadata(), false);
    const signal = ctx.signal;
    expect(signal.aborted).toBe(false);
    call.cancel();
    expect(signal.aborted).toBe(true);
    expect(ctx.signal).toBe(signal);
  });

  it('gives an aborted signal when the call was cancelled before the signal was first read', () => {
    const call = new FakeCall();
    const ctx = callContextOf(call, metadata(), false);
    call.cancel();
    expect(ctx.signal.aborted).toBe(true);
  });

  it('listens on the call only once the signal is asked for', () => {
    const call = new FakeCall();
    const ctx = callContextOf(call, metadata(), false);
    expect(call.listenerCount('cancelled')).toBe(0);
    void ctx.signal;
    expect(call.listenerCount('cancelled')).toBe(1);
  });

  it("carries the caller's traceparent outside a server span, and the anonymous actor in plaintext", () => {
    const ctx = callContextOf(new FakeCall(), metadata({ traceparent: TRACEPARENT }), false);
    expect(ctx).toMatchObject({ actor: 'anonymous', traceparent: TRACEPARENT });
  });
});
