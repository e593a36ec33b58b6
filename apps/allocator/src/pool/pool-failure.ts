import { CloudError } from '@ipledger/cloud';
import { DomainError } from '@ipledger/domain';

/**
 * Why a node's pool could not grow, as AllocateIp reports it after its deadline: `eni-limit` and
 * `vswitch-exhausted` are RESOURCE_EXHAUSTED (waiting will not help soon); the cloud ones are UNAVAILABLE
 * (the maintainer keeps retrying in the background).
 */
export type PoolFailureReason =
  'eni-limit' | 'vswitch-exhausted' | 'cloud-throttled' | 'cloud-unavailable' | 'cloud-rejected' | 'pool-filling';

export interface PoolFailure {
  reason: PoolFailureReason;
  message: string;
  /** Epoch ms. */
  at: number;
}

/** A saga step failed; its CloudCallFailed (or EniCreateFailed) is already recorded. */
export class PoolStepError extends Error {
  override readonly name = 'PoolStepError';
  constructor(
    readonly reason: PoolFailureReason,
    message: string,
  ) {
    super(message);
  }
}

export function reasonOfCloudError(error: CloudError): PoolFailureReason {
  switch (error.kind) {
    case 'throttled':
      return 'cloud-throttled';
    case 'conflict':
    case 'internal':
    case 'unknown':
      return 'cloud-unavailable';
    case 'vswitch-exhausted':
      return 'vswitch-exhausted';
    case 'limit-exceeded':
      return 'eni-limit';
    case 'not-found':
    case 'invalid':
      return 'cloud-rejected';
  }
}

export function toPoolFailure(error: unknown, now = Date.now()): PoolFailure {
  if (error instanceof PoolStepError) {
    return { reason: error.reason, message: error.message, at: now };
  }
  if (error instanceof CloudError) {
    return { reason: reasonOfCloudError(error), message: error.message, at: now };
  }
  if (error instanceof DomainError && error.details.reason === 'eni-limit') {
    return { reason: 'eni-limit', message: error.message, at: now };
  }
  return { reason: 'cloud-unavailable', message: error instanceof Error ? error.message : String(error), at: now };
}

/** The gRPC-facing error for a failure the pool could not get past before a caller's deadline. */
export function failureToDomainError(node: string, failure: PoolFailure): DomainError {
  const message = `no address for a pod on ${node} in time: ${failure.message}`;
  const exhausted = failure.reason === 'eni-limit' || failure.reason === 'vswitch-exhausted';
  return new DomainError(exhausted ? 'resource-exhausted' : 'unavailable', message, { reason: failure.reason });
}
