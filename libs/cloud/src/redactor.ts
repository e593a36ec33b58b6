const MASK = '***';

/** Replaces every occurrence of the given secrets (access key id, secret, token) in a text with a mask. */
export function secretRedactor(secrets: (string | undefined)[]): (text: string) => string {
  const known = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  return (text) => known.reduce((out, secret) => out.split(secret).join(MASK), text);
}
