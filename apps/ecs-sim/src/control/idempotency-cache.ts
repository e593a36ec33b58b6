/**
 * ClientToken idempotency: a repeated request with the same token gets the first request's answer; the same
 * token with different parameters is IdempotentParameterMismatch. Failed first attempts are forgotten, so a
 * retry after an error that changed nothing runs again.
 */
export class IdempotencyCache {
  private readonly entries = new Map<string, { fingerprint: string; result: Promise<unknown> }>();

  lookup(key: string, fingerprint: string): Promise<unknown> | 'mismatch' | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      return undefined;
    }
    return entry.fingerprint === fingerprint ? entry.result : 'mismatch';
  }

  remember(key: string, fingerprint: string, result: Promise<unknown>): void {
    this.entries.set(key, { fingerprint, result });
    result.catch(() => {
      if (this.entries.get(key)?.result === result) {
        this.entries.delete(key);
      }
    });
  }
}
