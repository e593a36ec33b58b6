import type { DataSource } from 'typeorm';
import { EVENTS_CHANNEL } from './event-store.port.js';

// One NOTIFY after commits, coalesced: while one is in flight, any number of further commits ask for just one
// more. NOTIFY is not sent inside the append transaction on purpose: Postgres serialises the commits of all
// notifying transactions on one lock held through the WAL flush, which would cap appends at one commit per
// flush. The notification itself needs no durability, hence synchronous_commit off for it.
const NOTIFY_SQL = `SELECT set_config('synchronous_commit', 'off', true), pg_notify('${EVENTS_CHANNEL}', '')`;

export class CommitNotifier {
  private sending: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly ds: DataSource,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  poke(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = this.send().finally(() => {
      this.sending = null;
    });
  }

  /** Resolves once no notification is in flight (for orderly shutdown). */
  async settled(): Promise<void> {
    while (this.sending) {
      await this.sending;
    }
  }

  private async send(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.ds.query(NOTIFY_SQL);
      } catch (error) {
        // The relay's fallback poll covers a lost wake-up.
        this.onError(error);
        return;
      }
    } while (this.again);
  }
}
