// The cloud API token buckets of DESIGN §6, shared by every allocator replica through Postgres: N replicas
// together stay within one limit per API instead of N times it. See docs/cloud.md, "Rate limiting".
import {
  type CloudApiName,
  type CloudClock,
  type CloudRateLimiterPort,
  systemClock,
  WaitingLine,
} from '@ipledger/cloud';
import type { DataSource } from 'typeorm';

/** Calls per minute per API as the eni-config in force says; read at every take, so edits apply live. */
export type RateLimitsSource = () => Readonly<Partial<Record<CloudApiName, number>>>;

/**
 * Refill by the time elapsed on the database's clock (at the rate the row was last written with), cap at the
 * current per-minute size, take a token if a whole one is there, and say how long until the next one is due
 * otherwise — one statement, serialised per API by the row lock. The outer SELECT is there so that the result
 * comes back as plain rows.
 */
const TAKE = `
  WITH locked AS MATERIALIZED (
    SELECT api, tokens, refilled_at, per_minute FROM cloud_rate_buckets WHERE api = $1 FOR UPDATE
  ), refilled AS (
    SELECT api, now_at,
      least($2::integer::double precision,
        tokens + greatest(0, extract(epoch FROM now_at - refilled_at)) * per_minute / 60.0) AS have
    FROM (SELECT locked.*, clock_timestamp() AS now_at FROM locked) stamped
  ), taken AS (
    UPDATE cloud_rate_buckets b
    SET tokens = CASE WHEN r.have >= 1 THEN r.have - 1 ELSE r.have END,
      refilled_at = r.now_at,
      per_minute = $2::integer
    FROM refilled r
    WHERE b.api = r.api
    RETURNING r.have >= 1 AS taken,
      CASE WHEN r.have >= 1 THEN 0 ELSE (1 - r.have) * 60000 / $2::integer END AS wait_ms
  )
  SELECT taken, wait_ms FROM taken`;

/** A bucket nobody has used yet starts full, like the in-process one; racing replicas create it once. */
const SEED = `
  INSERT INTO cloud_rate_buckets (api, tokens, refilled_at, per_minute)
  VALUES ($1, $2::integer, clock_timestamp(), $2::integer)
  ON CONFLICT (api) DO NOTHING`;

/** A waiting caller looks again at least this often, so that a raised limit is not slept through. */
const MAX_NAP_MS = 1_000;

interface TakeRow {
  taken: boolean;
  wait_ms: number;
}

/**
 * A CloudRateLimiterPort on the `cloud_rate_buckets` table. Within this process, callers of one API queue in
 * arrival order and only the head of the queue asks the database, so a burst here does not stampede the row;
 * across processes the row lock decides. A database error rejects `acquire` (the call runner then fails the
 * call as UNAVAILABLE and retries it): no token, no cloud call.
 */
export class PostgresRateLimiter implements CloudRateLimiterPort {
  private readonly lines = new Map<CloudApiName, WaitingLine>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly limits: RateLimitsSource,
    private readonly clock: CloudClock = systemClock,
  ) {}

  limit(api: CloudApiName): number {
    return this.limits()[api] ?? 0;
  }

  acquire(api: CloudApiName): Promise<number> {
    if (this.limit(api) <= 0) {
      return Promise.resolve(0);
    }
    let line = this.lines.get(api);
    if (!line) {
      line = new WaitingLine(this.clock);
      this.lines.set(api, line);
    }
    return line.join(() => this.take(api));
  }

  private async take(api: CloudApiName): Promise<void> {
    for (;;) {
      const perMinute = this.limit(api);
      if (perMinute <= 0) {
        return;
      }
      const { taken, waitMs } = await this.tryTake(api, perMinute);
      if (taken) {
        return;
      }
      await this.clock.sleep(Math.min(MAX_NAP_MS, Math.max(1, Math.ceil(waitMs))));
    }
  }

  /** Whether a token was taken, and if not, the milliseconds until one is due. */
  private async tryTake(api: CloudApiName, perMinute: number): Promise<{ taken: boolean; waitMs: number }> {
    let rows = await this.dataSource.query<TakeRow[]>(TAKE, [api, perMinute]);
    if (rows.length === 0) {
      await this.dataSource.query(SEED, [api, perMinute]);
      rows = await this.dataSource.query<TakeRow[]>(TAKE, [api, perMinute]);
    }
    const [row] = rows;
    if (!row) {
      throw new Error(`cloud_rate_buckets: no bucket for ${api} after creating it`);
    }
    return { taken: row.taken, waitMs: Number(row.wait_ms) };
  }
}
