// Secrets never reach a log line. Two rules, applied to anything about to be logged: values under keys that
// name a secret are replaced, and credentials embedded in URLs (postgres://user:password@host) are masked.

export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /(secret|password|passwd|pwd|token|credentials?|authorization|private[-_]?key|access[-_]?key[-_]?id|database[-_]?url)$/i;
// Named like secrets but only idempotency handles, which make cloud-call logs traceable.
const NOT_SECRET = /^client[-_]?token$/i;

/** True when a property name says its value is a secret (accessKeySecret, password, DATABASE_URL, …). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !NOT_SECRET.test(key);
}

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]*):([^@\s/]*)@/gi;

/** Replaces the password part of every `scheme://user:password@` in the text. */
export function maskUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, (_all, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
}

/**
 * A copy of `value` fit for a log: secret-named properties replaced, URL passwords masked, at any depth.
 * Connection URLs stay readable (host, database) because only their password is masked.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return maskUrlCredentials(value);
  }
  if (value === null || typeof value !== 'object' || depth > 8) {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => redactSecrets(item, depth + 1));
  }
  if (value instanceof Error) {
    return value;
  }
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = isSecretKey(key) ? redactSecretValue(item) : redactSecrets(item, depth + 1);
  }
  return copy;
}

function redactSecretValue(value: unknown): unknown {
  // A URL under a secret key (DATABASE_URL) keeps its host so the log still says where it pointed.
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return maskUrlCredentials(value);
  }
  return value === undefined || value === null || value === '' ? value : REDACTED;
}
