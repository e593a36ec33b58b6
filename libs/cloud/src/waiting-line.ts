import { type CloudClock } from './cloud-clock.js';

/**
 * Callers served one at a time in the order they arrived, each learning how long it waited (its queueing
 * plus its own turn). A turn that fails ends for its caller only; the next caller still gets its turn.
 * Token buckets use it so that a burst is handed its tokens first come, first served.
 */
export class WaitingLine {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly clock: CloudClock) {}

  /** Runs `turn` once every earlier caller's turn is over; resolves with the milliseconds since the call. */
  join(turn: () => Promise<void>): Promise<number> {
    const askedAt = this.clock.now();
    const mine = this.tail.then(turn);
    this.tail = mine.catch(() => {});
    return mine.then(() => this.clock.now() - askedAt);
  }
}
