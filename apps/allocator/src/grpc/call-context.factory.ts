// Builds the CallContext an application service receives from the grpc-js call of a request.
import { currentTraceparent, extractFromGrpcMetadata, type MetadataLike } from '@ipledger/telemetry';
import { type CallContext } from '../ports/index.js';
import { actorOf, type CallWithAuthContext, peerIdentityOf, type PeerIdentity } from '../tls/peer-identity.js';

export interface GrpcCall extends CallWithAuthContext {
  cancelled?: boolean;
  on?(event: 'cancelled', listener: () => void): unknown;
}

// The abort reason. Without one, abort() builds a DOMException (with its stack) each time, and grpc-js also
// reports 'cancelled' for many calls whose stream merely closed after the answer.
const CALL_CANCELLED = 'cancelled';

export function callContextOf(call: GrpcCall | undefined, metadata: MetadataLike, mutualTls: boolean): CallContext {
  const identity: PeerIdentity = mutualTls ? peerIdentityOf(call) : { kind: 'anonymous' };
  // The server span's traceparent; without a tracing SDK in this process, the caller's own.
  const traceparent = currentTraceparent() ?? currentTraceparent(extractFromGrpcMetadata(metadata));
  let signal: AbortSignal | undefined;
  return {
    actor: actorOf(identity),
    traceparent,
    // Made when first asked for: most calls never wait, and an AbortController with a listener on the call for
    // every RPC is a measurable part of the edge's cost. grpc-js marks the call `cancelled` before it emits the
    // event, so a cancellation that came earlier is seen then.
    get signal() {
      return (signal ??= cancellationOf(call));
    },
  };
}

function cancellationOf(call: GrpcCall | undefined): AbortSignal {
  const aborter = new AbortController();
  if (call?.cancelled) {
    aborter.abort(CALL_CANCELLED);
  } else {
    // grpc-js emits 'cancelled' when the client cancels or the deadline passes.
    call?.on?.('cancelled', () => aborter.abort(CALL_CANCELLED));
  }
  return aborter.signal;
}
