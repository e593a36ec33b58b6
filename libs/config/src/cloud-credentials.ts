// Cloud API keys. The secret is a private field: printing, inspecting or JSON-encoding the object shows the
// key id's first characters only, so a careless log line cannot leak it.
import { REDACTED } from './redaction.js';

export class CloudCredentials {
  readonly #accessKeySecret: string;

  constructor(
    readonly accessKeyId: string,
    accessKeySecret: string,
  ) {
    this.#accessKeySecret = accessKeySecret;
  }

  /** The secret, for the one place that signs cloud requests. */
  revealSecret(): string {
    return this.#accessKeySecret;
  }

  toJSON(): Record<string, string> {
    return { accessKeyId: maskKeyId(this.accessKeyId), accessKeySecret: REDACTED };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CloudCredentials ${JSON.stringify(this.toJSON())}`;
  }
}

/** Enough of a key id to tell keys apart in a log, never the whole id. */
export function maskKeyId(id: string): string {
  return id.length <= 8 ? '****' : `${id.slice(0, 4)}****${id.slice(-2)}`;
}
