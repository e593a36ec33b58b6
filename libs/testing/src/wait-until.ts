/**
 * Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs` with `message`
 * (and the last value seen). For waiting on asynchronous effects; never to assert how long they took.
 */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`waitUntil: ${options.message ?? 'condition not met'} after ${options.timeoutMs ?? 20_000} ms`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 25));
  }
}
