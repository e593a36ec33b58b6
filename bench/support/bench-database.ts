// The benchmarks' own databases on the local Postgres: `ipledger_bench_<pid>` (the ledger, dropped and created
// again, then migrated, for every benchmark that needs a fresh cluster) and `ipledger_bench_<pid>_raw` (the raw
// insert baseline). The runner's pid in the name keeps two runs on one server apart; a later run drops the
// databases of runs that are gone.
import { createDataSource, runMigrations } from '@ipledger/event-store';
import { adminDatabaseUrl, databaseUrl, quoteIdentifier } from '@ipledger/testing';
import pg from 'pg';

const PREFIX = 'ipledger_bench_';

export const BENCH_DATABASE = `${PREFIX}${process.pid}`;
export const RAW_DATABASE = `${PREFIX}${process.pid}_raw`;

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

/** Drops this run's databases and those of earlier runs whose process no longer exists. */
export async function dropBenchDatabases(): Promise<void> {
  await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `${PREFIX}%`,
    ]);
    for (const { datname } of rows) {
      const pid = Number(/^ipledger_bench_(\d+)/.exec(datname)?.[1]);
      if (pid === process.pid || !processAlive(pid)) {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(datname)} WITH (FORCE)`);
      }
    }
  });
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return true; // not named by a run: leave it
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
