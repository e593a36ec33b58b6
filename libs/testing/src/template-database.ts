import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDataSource, runMigrations } from '@ipledger/event-store';
import pg from 'pg';
import {
  TEMPLATE_DATABASE,
  TEST_DATABASE_PREFIX,
  adminDatabaseUrl,
  databaseUrl,
  quoteIdentifier,
} from './postgres.config.js';

// Every test database is a clone of one migrated template, rebuilt only when the migrations change (their
// hash is the template's database comment). One advisory lock on the maintenance database serialises the
// check, the rebuild and the clones, across test processes and concurrent test runs.
const TEMPLATE_LOCK = 0x1b1ed6e5;
const MIGRATIONS_DIR = resolve(import.meta.dirname, '../../../migrations');

export function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(MIGRATIONS_DIR, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

export async function withAdminClient<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminDatabaseUrl(), application_name: 'ipledger-testing' });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

export async function withTemplateLock<T>(admin: pg.Client, fn: () => Promise<T>): Promise<T> {
  await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
  try {
    return await fn();
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
  }
}

/** Call with the template lock held. Returns true when the template had to be (re)built. */
export async function ensureTemplate(admin: pg.Client): Promise<boolean> {
  const wanted = `ipledger migrations sha256:${migrationsHash()}`;
  const { rows } = await admin.query<{ comment: string | null }>(
    `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
    [TEMPLATE_DATABASE],
  );
  if (rows[0]?.comment === wanted) {
    return false;
  }
  const template = quoteIdentifier(TEMPLATE_DATABASE);
  if (rows.length > 0) {
    await admin.query(`ALTER DATABASE ${template} IS_TEMPLATE false`);
    await admin.query(`DROP DATABASE ${template} WITH (FORCE)`);
  }
  await admin.query(`CREATE DATABASE ${template}`);
  const ds = createDataSource({
    url: databaseUrl(TEMPLATE_DATABASE),
    poolSize: 1,
    applicationName: 'ipledger-template',
  });
  await ds.initialize();
  try {
    await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
  await admin.query(`ALTER DATABASE ${template} IS_TEMPLATE true`);
  await admin.query(`COMMENT ON DATABASE ${template} IS '${wanted}'`);
  return true;
}

/** Drops test databases left behind by test processes that no longer exist. */
export async function dropOrphanedTestDatabases(admin: pg.Client): Promise<string[]> {
  const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
    `${TEST_DATABASE_PREFIX}%`,
  ]);
  const orphans = rows.map((r) => r.datname).filter((name) => !processAlive(pidOf(name)));
  for (const name of orphans) {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  }
  return orphans;
}

function pidOf(name: string): number {
  return Number(name.slice(TEST_DATABASE_PREFIX.length).split('_')[0]);
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return true; // not one of ours: leave it
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
