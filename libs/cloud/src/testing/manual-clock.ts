import { type CloudClock } from '../cloud-clock.js';

/**
 * A clock for unit tests: time moves only when a test advances it, and sleepers wake in deadline order.
 * `runUntilIdle` advances to each pending deadline in turn until nothing sleeps any more.
 */
export class ManualClock implements CloudClock {
  private time = 0;
  private sleepers: { until: number; wake: () => void }[] = [];
  readonly sleeps: number[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    if (ms <= 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.sleepers.push({ until: this.time + ms, wake: resolve });
      this.sleepers.sort((a, b) => a.until - b.until);
    });
  }

  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await flush();
      const next = this.sleepers[0];
      if (!next || next.until > target) {
        break;
      }
      this.sleepers.shift();
      this.time = next.until;
      next.wake();
    }
    this.time = target;
    await flush();
  }

  async runUntilIdle(): Promise<void> {
    for (;;) {
      await flush();
      const next = this.sleepers[0];
      if (!next) {
        return;
      }
      await this.advance(next.until - this.time);
    }
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i += 1) {
    await Promise.resolve();
  }
}
