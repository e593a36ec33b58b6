// Where integration tests find Postgres: IPLEDGER_TEST_PG_URL names the maintenance database of a server
// on which the tests may create and drop databases (default: the local postgres, user postgres, trust auth).
export const TEMPLATE_DATABASE = 'ipledger_template';

/** Test databases are named `ipl_t_<pid>_<label>_<random>`; the pid lets a later run drop a crashed run's. */
export const TEST_DATABASE_PREFIX = 'ipl_t_';

export function adminDatabaseUrl(): string {
  return process.env.IPLEDGER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrl(database: string): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
