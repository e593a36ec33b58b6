// What every application-service call learns about its caller, beyond the request itself.

export interface CallContext {
  /**
   * Who asked, for event metadata: `node/<name>` or `operator/<name>` from the client certificate under
   * mutual TLS, `anonymous` on a plaintext endpoint.
   */
  actor: string;
  /** W3C traceparent of the call's server span (record it in event metadata), or null outside a trace. */
  traceparent: string | null;
  /** Aborted when the client cancels the call or its deadline passes. */
  signal: AbortSignal;
}
