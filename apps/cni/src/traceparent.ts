// Ids for a W3C traceparent. Trace ids need to be unpredictable enough not to collide, not secret, so
// Math.random (as OpenTelemetry's own RandomIdGenerator uses) is enough and costs no crypto start-up.
function randomHex(bytes: number): string {
  let hex = '';
  for (let i = 0; i < bytes; i++) {
    hex += Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0');
  }
  return hex;
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomHex(bytes);
    if (/[^0]/.test(hex)) {
      return hex;
    }
  }
}

/** `00-<trace id>-<span id>-01`: a new sampled trace rooted at this CNI invocation. */
export function newTraceparent(): string {
  return `00-${nonZeroHex(16)}-${nonZeroHex(8)}-01`;
}
