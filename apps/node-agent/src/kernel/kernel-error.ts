import { DomainError } from '@ipledger/domain';

/**
 * A kernel operation failed for a reason other than "already done". The CNI transport reports it as a
 * dataplane failure; by then the dataplane has rolled back what it had set up.
 */
export class KernelError extends DomainError {
  override name = 'KernelError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('failed-precondition', message, { reason: 'kernel', ...details });
  }
}
