import { API_NAMES, type ApiName } from '../api/api-names.js';

export interface CallCounts {
  /** Every request that named this API. */
  calls: number;
  /** Passed throttling and fault injection and reached the API logic (which may still answer an error). */
  accepted: number;
  /** Answered Throttling.User by the per-minute limit. */
  throttled: number;
  /** Answered an injected fault (before or after the change). */
  faulted: number;
  /** Accepted calls that answered an API error (bad state, not found, limits, exhausted vSwitch...). */
  failed: number;
  /** Accepted calls that answered 200. */
  succeeded: number;
}

export type CallCountsByApi = Record<ApiName, CallCounts>;

export class CallCounters {
  private counts = emptyCounts();

  bump(api: ApiName, field: keyof CallCounts): void {
    this.counts[api][field] += 1;
  }

  snapshot(): CallCountsByApi {
    return structuredClone(this.counts);
  }

  reset(): void {
    this.counts = emptyCounts();
  }
}

function emptyCounts(): CallCountsByApi {
  const entries = API_NAMES.map((api) => [
    api,
    { calls: 0, accepted: 0, throttled: 0, faulted: 0, failed: 0, succeeded: 0 },
  ]);
  return Object.fromEntries(entries) as CallCountsByApi;
}
