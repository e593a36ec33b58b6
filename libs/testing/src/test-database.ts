import { randomBytes } from 'node:crypto';
import { TEMPLATE_DATABASE, TEST_DATABASE_PREFIX, databaseUrl, quoteIdentifier } from './postgres.config.js';
import { ensureTemplate, withAdminClient, withTemplateLock } from './template-database.js';

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

/** A fresh database, migrated (a clone of the template), with a unique name; `label` helps when reading logs. */
export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 24);
  const name = `${TEST_DATABASE_PREFIX}${process.pid}_${safeLabel}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((admin) =>
    withTemplateLock(admin, async () => {
      await ensureTemplate(admin);
      await admin.query(`CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(TEMPLATE_DATABASE)}`);
    }),
  );
  return {
    name,
    url: databaseUrl(name),
    drop: () =>
      withAdminClient(async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
      }),
  };
}
