// The benchmarks' own database on the local Postgres: dropped and created again, then migrated, so that
// every run (and every benchmark that needs a fresh cluster) starts from an empty ledger.
import { createDataSource, runMigrations } from '@ipledger/event-store';
import { adminDatabaseUrl, databaseUrl, quoteIdentifier } from '@ipledger/testing';
import pg from 'pg';

export const BENCH_DATABASE = 'ipledger_bench';

export async function resetBenchDatabase(name = BENCH_DATABASE): Promise<string> {
  await withAdmin(async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  });
  const url = databaseUrl(name);
  const ds = createDataSource({ url, poolSize: 1, applicationName: 'ipledger-bench-migrate' });
  await ds.initialize();
  try {
    await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
  return url;
}

export async function dropBenchDatabase(name = BENCH_DATABASE): Promise<void> {
  await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`));
}

/** The server's version and durability settings, which decide the raw commit rate. */
export async function postgresSettings(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string; fsync: string; sync: string; wal: string }>(
      `SELECT split_part(version(), ' on ', 1) AS version, current_setting('fsync') AS fsync,
              current_setting('synchronous_commit') AS sync, current_setting('wal_sync_method') AS wal`,
    );
    const r = rows[0];
    return `${r.version}, fsync=${r.fsync}, synchronous_commit=${r.sync}, wal_sync_method=${r.wal}`;
  } finally {
    await client.end();
  }
}

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminDatabaseUrl(), application_name: 'ipledger-bench' });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}
