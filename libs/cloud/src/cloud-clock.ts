import { setTimeout as delay } from 'node:timers/promises';

/** Time as the cloud adapter sees it; tests pass a fake one so that waits and backoff cost no real time. */
export interface CloudClock {
  /** Milliseconds, monotonic enough for measuring waits. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: CloudClock = {
  now: () => performance.now(),
  sleep: (ms) => (ms > 0 ? delay(ms) : Promise.resolve()),
};
