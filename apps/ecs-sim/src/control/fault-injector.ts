import { type ApiName } from '../api/api-names.js';
import { seededRandom } from './seeded-random.js';

export interface FaultRule {
  /** The APIs the rule applies to; all when omitted. */
  apis?: ApiName[];
  /** Probability per call, 0..1. */
  rate: number;
  /** Error codes to answer with, one picked at random per fault (e.g. Throttling.User, InternalError). */
  codes: string[];
  /**
   * 'before' (default): the call fails and changes nothing. 'after': a mutating call takes effect and still
   * answers the error, as when a response is lost; only ClientToken idempotency makes a retry safe then.
   */
  phase?: 'before' | 'after';
}

export interface FaultConfig {
  rules: FaultRule[];
  /** vSwitches that answer InvalidVSwitchId.IpNotEnough to every allocation. */
  exhaustedVSwitches: string[];
  /** Probability that an attachment fails after Attaching (the ENI falls back to Available). */
  attachFailureRate: number;
  seed: number;
}

export const NO_FAULTS: FaultConfig = { rules: [], exhaustedVSwitches: [], attachFailureRate: 0, seed: 1 };

export class FaultInjector {
  private config: FaultConfig = NO_FAULTS;
  private random: () => number = seededRandom(NO_FAULTS.seed);

  configure(config: FaultConfig): void {
    if (config.seed !== this.config.seed) {
      this.random = seededRandom(config.seed);
    }
    this.config = config;
  }

  current(): FaultConfig {
    return this.config;
  }

  /** Decides for one call and phase whether it fails, and with which code. */
  draw(api: ApiName, phase: 'before' | 'after'): string | null {
    for (const rule of this.config.rules) {
      if ((rule.phase ?? 'before') !== phase || (rule.apis && !rule.apis.includes(api)) || rule.codes.length === 0) {
        continue;
      }
      if (this.random() < rule.rate) {
        return rule.codes[Math.floor(this.random() * rule.codes.length)] ?? null;
      }
    }
    return null;
  }

  failAttach(): boolean {
    return this.config.attachFailureRate > 0 && this.random() < this.config.attachFailureRate;
  }
}
