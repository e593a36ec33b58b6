import { type ApiName } from '../api/api-names.js';

/**
 * ECS throttles each API per account and region in fixed per-minute windows: a call throttled in minute T
 * succeeds again in minute T+1 (ECS "API throttling" docs). The window length is configurable so tests need
 * not wait a minute; a limit of 0 or less means "no limit".
 */
export class FixedWindowThrottle {
  private window = -1;
  private readonly counts = new Map<ApiName, number>();

  constructor(
    private readonly now: () => number,
    private windowMs: number,
    private limits: Partial<Record<ApiName, number>>,
  ) {}

  tryAcquire(api: ApiName): boolean {
    const limit = this.limits[api] ?? 0;
    if (limit <= 0) {
      return true;
    }
    this.roll();
    const used = this.counts.get(api) ?? 0;
    if (used >= limit) {
      return false;
    }
    this.counts.set(api, used + 1);
    return true;
  }

  configure(windowMs: number, limits: Partial<Record<ApiName, number>>): void {
    this.windowMs = windowMs;
    this.limits = limits;
    this.window = -1;
    this.counts.clear();
  }

  private roll(): void {
    const window = Math.floor(this.now() / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.counts.clear();
    }
  }
}
