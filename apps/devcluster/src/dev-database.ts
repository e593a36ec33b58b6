// The dev cluster's own database: dropped and created again on every start, then migrated, so that each run
// begins with an empty ledger. Because that destroys data, only a database on this machine is touched.
import { createDataSource, runMigrations } from '@ipledger/event-store';
import pg from 'pg';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const PROTECTED = new Set(['postgres', 'template0', 'template1']);

export interface DatabaseTarget {
  name: string;
  /** The same server's maintenance database, from which the run's database is dropped and created. */
  adminUrl: string;
}

/** Where the run's database is; refuses what it must not drop (another machine's, a system database). */
export function databaseTarget(url: string): DatabaseTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('DATABASE_URL is not a URL (e.g. postgres://postgres@127.0.0.1:5432/ipledger_dev)');
  }
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol) || name === '' || name.includes('/')) {
    throw new Error('DATABASE_URL must be postgres://user@host:port/<database>');
  }
  if (!LOCAL_HOSTS.has(parsed.hostname)) {
    throw new Error(
      `DATABASE_URL names a database on ${parsed.hostname}; the dev cluster drops its database on every start, ` +
        'so it only uses one on this machine (127.0.0.1 or localhost)',
    );
  }
  if (PROTECTED.has(name)) {
    throw new Error(`DATABASE_URL names the system database "${name}"; choose a database of its own`);
  }
  const admin = new URL(parsed.toString());
  admin.pathname = '/postgres';
  return { name, adminUrl: admin.toString() };
}

/** Drops the database (closing other sessions on it), creates it empty and applies the migrations. */
export async function resetDatabase(url: string): Promise<DatabaseTarget> {
  const target = databaseTarget(url);
  const admin = new pg.Client({
    connectionString: target.adminUrl,
    application_name: 'ipledger-devcluster',
    connectionTimeoutMillis: 5_000,
  });
  await admin.connect().catch((error: unknown) => {
    const where = new URL(target.adminUrl).host;
    throw new Error(
      `cannot reach Postgres at ${where} (${(error as Error).message}); is it running and does user ` +
        `"${new URL(target.adminUrl).username}" have trust access from 127.0.0.1?`,
      { cause: error },
    );
  });
  try {
    const quoted = `"${target.name.replaceAll('"', '""')}"`;
    await admin.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoted}`);
  } finally {
    await admin.end();
  }
  const ds = createDataSource({ url, poolSize: 1, applicationName: 'ipledger-devcluster-migrate' });
  await ds.initialize();
  try {
    await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
  return target;
}
