import { apiErrors } from '../sim/api-error.js';

/** Parameters the SDK sends with every call; they do not describe the request for idempotency purposes. */
const COMMON_PARAMS = new Set([
  'Action',
  'Version',
  'Format',
  'Timestamp',
  'SignatureNonce',
  'SignatureMethod',
  'SignatureVersion',
  'Signature',
  'AccessKeyId',
  'SecurityToken',
  'ClientToken',
  'RegionId',
]);

/**
 * The flattened RPC parameters of one request (`Tag.1.Key`, `NetworkInterfaceId.1`, ...), from the query string
 * and, for form-encoded bodies, from the body. Accessors validate and throw the API's own errors.
 */
export class RequestParams {
  private constructor(private readonly values: Map<string, string>) {}

  static parse(search: URLSearchParams, body: string, contentType: string | undefined): RequestParams {
    const values = new Map<string, string>(search);
    if (body.length > 0 && (contentType ?? '').includes('application/x-www-form-urlencoded')) {
      new URLSearchParams(body).forEach((value, key) => values.set(key, value));
    }
    return new RequestParams(values);
  }

  string(name: string): string | undefined {
    const value = this.values.get(name);
    return value === undefined || value === '' ? undefined : value;
  }

  requireString(name: string): string {
    const value = this.string(name);
    if (value === undefined) {
      throw apiErrors.missingParameter(name);
    }
    return value;
  }

  int(name: string, min: number, max: number): number | undefined {
    const text = this.string(name);
    if (text === undefined) {
      return undefined;
    }
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw apiErrors.invalidParameter(name, `expected an integer from ${min} to ${max}, got "${text}"`);
    }
    return value;
  }

  bool(name: string): boolean | undefined {
    const text = this.string(name);
    return text === undefined ? undefined : text === 'true';
  }

  /** `Name.1`, `Name.2`, ... in the order of N. */
  list(name: string, max: number): string[] {
    const items = this.indexed(new RegExp(`^${escape(name)}\\.(\\d+)$`)).map(([, value]) => value);
    if (items.length > max) {
      throw apiErrors.invalidParameter(`${name}.N`, `at most ${max} values`);
    }
    return items;
  }

  /** `Tag.N.Key` / `Tag.N.Value` pairs; a value may be empty, a key may not. */
  tags(max: number): [string, string][] {
    const keys = this.indexed(/^Tag\.(\d+)\.Key$/);
    if (keys.length > max) {
      throw apiErrors.invalidParameter('Tag.N', `at most ${max} tags`);
    }
    return keys.map(([n, key]) => [key, this.values.get(`Tag.${n}.Value`) ?? '']);
  }

  /** A stable description of the request's own parameters, for ClientToken comparison. */
  fingerprint(): string {
    return [...this.values.entries()]
      .filter(([key]) => !COMMON_PARAMS.has(key))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => `${key}=${value}`)
      .join('&');
  }

  private indexed(pattern: RegExp): [number, string][] {
    const found: [number, string][] = [];
    for (const [key, value] of this.values) {
      const match = pattern.exec(key);
      if (match && value !== '') {
        found.push([Number(match[1]), value]);
      }
    }
    return found.sort(([a], [b]) => a - b);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
