// Durations written the way Go's time.ParseDuration reads them ("300ms", "30s", "5m", "1h30m", "1.5h"), as
// Terway's eni-config uses them. ipledger keeps durations as milliseconds.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Milliseconds for a Go duration string, or undefined when the text is not one. Signs are not accepted:
 * every duration ipledger reads is a length of time.
 */
export function parseDuration(text: string): number | undefined {
  if (text === '0') {
    return 0;
  }
  if (text.length === 0) {
    return undefined;
  }
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < text.length) {
    const match = TERM.exec(text);
    if (!match) {
      return undefined;
    }
    total += Number(match[1]) * UNIT_MS[match[2]];
  }
  return total;
}

/** The Go spelling of a duration (time.Duration.String): "0s", "300ms", "1m30s", "1h0m0s". */
export function formatDuration(ms: number): string {
  if (ms === 0) {
    return '0s';
  }
  if (ms < 1) {
    const us = ms * 1_000;
    return us < 1 ? `${trimFraction(us * 1_000)}ns` : `${trimFraction(us)}µs`;
  }
  if (ms < 1_000) {
    return `${trimFraction(ms)}ms`;
  }
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = trimFraction((ms % 60_000) / 1_000);
  if (hours > 0) {
    return `${hours}h${minutes}m${seconds}s`;
  }
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

function trimFraction(value: number): string {
  // Nine decimals are Go's nanosecond resolution; more would only print floating-point noise.
  return String(Number(value.toFixed(9)));
}
