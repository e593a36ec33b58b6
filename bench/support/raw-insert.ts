// The baseline for the allocator's throughput: how many single-row insert transactions per second the
// same Postgres server commits at a given concurrency, with pg directly. Each INSERT runs on its own
// (autocommit), so each is one transaction with one commit that waits for its WAL flush, as a ledger
// append does; a row looks like a ledger event (a stream id and a small JSON document).
import pg from 'pg';
import { closedLoop } from './closed-loop.js';
import { elapsedMs, type LatencySummary, summarize } from './stats.js';

export interface RawInsertResult {
  concurrency: number;
  inserts: number;
  perSecond: number;
  latency: LatencySummary;
}

export async function prepareRawInsertTable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS bench_raw_insert (
      id bigserial PRIMARY KEY, stream_id text NOT NULL, data jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);
  } finally {
    await client.end();
  }
}

export async function measureRawInserts(url: string, concurrency: number, durationMs: number) {
  const pool = new pg.Pool({ connectionString: url, max: concurrency, application_name: 'ipledger-bench-raw' });
  // An idle connection that the server closes must fail this measurement, not crash the whole run.
  const idle: { error: Error | null } = { error: null };
  pool.on('error', (error) => (idle.error ??= error));
  try {
    await openConnections(pool, concurrency);
    const samples: number[] = [];
    let n = 0;
    const loop = await closedLoop(concurrency, durationMs, async (worker) => {
      n += 1;
      const data = { node: `bench-node-${worker}`, ip: `10.20.${n % 256}.${worker}`, at: new Date().toISOString() };
      const start = process.hrtime.bigint();
      await pool.query('INSERT INTO bench_raw_insert (stream_id, data) VALUES ($1, $2)', [`node-${worker}`, data]);
      samples.push(elapsedMs(start));
    });
    if (loop.errors.size > 0 || idle.error) {
      throw new Error(`raw inserts failed: ${[...loop.errors.keys(), idle.error?.message].filter(Boolean).join('; ')}`);
    }
    return {
      concurrency,
      inserts: loop.completed,
      perSecond: (loop.completed / loop.elapsedMs) * 1000,
      latency: summarize(samples),
    } satisfies RawInsertResult;
  } finally {
    await pool.end();
  }
}

/**
 * Opens every connection before measuring (set-up is not what is measured). The server's connection slots
 * are shared with whatever else runs on it, so a refusal is retried a few times; every connection that was
 * opened is handed back either way, or ending the pool would wait for it forever.
 */
async function openConnections(pool: pg.Pool, count: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const opened = await Promise.allSettled(Array.from({ length: count }, () => pool.connect()));
    for (const result of opened) {
      if (result.status === 'fulfilled') {
        result.value.release();
      }
    }
    const refused = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!refused) {
      return;
    }
    if (attempt === 5) {
      throw new Error(`could not open ${count} connections: ${(refused.reason as Error).message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}
