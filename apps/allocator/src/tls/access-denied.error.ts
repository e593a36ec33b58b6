// The caller may not make this call: no usable identity (unauthenticated) or not for this node
// (permission-denied). Raised by the TLS edge only; the gRPC exception filter maps it.
export class AccessDeniedError extends Error {
  override name = 'AccessDeniedError';
  constructor(
    readonly kind: 'unauthenticated' | 'permission-denied',
    message: string,
  ) {
    super(message);
  }
}
