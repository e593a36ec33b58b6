// The error an allocator call failed with, for tests that expect a refusal: a call that succeeds, or fails
// with anything but a gRPC status, is itself the failure.
import { AllocatorRpcError } from '@ipledger/proto';

export async function rpcFailureOf(call: Promise<unknown>): Promise<AllocatorRpcError> {
  const outcome = await call.then(
    (value: unknown) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if ('value' in outcome) {
    throw new Error(`expected the call to fail, but it answered ${JSON.stringify(outcome.value)}`);
  }
  if (!(outcome.error instanceof AllocatorRpcError)) {
    throw new Error(`expected a gRPC status, got ${String(outcome.error)}`);
  }
  return outcome.error;
}
