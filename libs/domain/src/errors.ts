// One base class for every error ipledger means to raise. Each transport maps `code` to its own status in
// one place (the gRPC exception filter, the CNI error JSON); services never throw transport exceptions.

export type DomainErrorCode =
  | 'invalid-argument' // the request is malformed; `field` names what is wrong
  | 'not-found'
  | 'failed-precondition' // e.g. the node is not registered
  | 'resource-exhausted' // no address obtainable now: pool, vSwitch or ENI limit; `reason` says which
  | 'unavailable' // the cloud is throttling or failing: retry later
  | 'conflict' // a concurrent writer won; retried internally a bounded number of times
  | 'illegal-state'; // the command does not fit the current state

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: { field?: string; reason?: string; [key: string]: unknown } = {},
  ) {
    super(message);
  }
}

export const invalidArgument = (field: string, message: string): DomainError =>
  new DomainError('invalid-argument', `${field}: ${message}`, { field });
