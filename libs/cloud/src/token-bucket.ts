import { type CloudClock } from './cloud-clock.js';
import { WaitingLine } from './waiting-line.js';

const MS_PER_MINUTE = 60_000;

/**
 * A token bucket sized in calls per minute: it holds up to `perMinute` tokens and refills continuously at
 * `perMinute` per minute. A caller waits for its token instead of failing, and callers are served in the
 * order they asked. `perMinute` ≤ 0 means no limit.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly line: WaitingLine;

  constructor(
    readonly perMinute: number,
    private readonly clock: CloudClock,
  ) {
    this.tokens = perMinute;
    this.updatedAt = clock.now();
    this.line = new WaitingLine(clock);
  }

  /** Resolves, with the milliseconds waited, once the caller holds a token. */
  acquire(): Promise<number> {
    if (this.perMinute <= 0) {
      return Promise.resolve(0);
    }
    return this.line.join(() => this.take());
  }

  /** Tokens available right now (fractional while refilling). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private async take(): Promise<void> {
    this.refill();
    while (this.tokens < 1) {
      await this.clock.sleep(Math.ceil(((1 - this.tokens) * MS_PER_MINUTE) / this.perMinute));
      this.refill();
    }
    this.tokens -= 1;
  }

  private refill(): void {
    const now = this.clock.now();
    const earned = ((now - this.updatedAt) * this.perMinute) / MS_PER_MINUTE;
    this.tokens = Math.min(this.perMinute, this.tokens + Math.max(0, earned));
    this.updatedAt = now;
  }
}
