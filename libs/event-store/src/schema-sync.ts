import type { DataSource } from 'typeorm';

/** The SQL TypeORM would run to make the database match the entities; empty when they agree. */
export async function pendingSchemaChanges(ds: DataSource): Promise<string[]> {
  const log = await ds.driver.createSchemaBuilder().log();
  return log.upQueries.map((q) => q.query);
}

/**
 * Fails when migrations are pending or when the entities and the migrated schema disagree, listing the SQL
 * that synchronize would have run. Meant for a test: entities and migrations must describe the same tables.
 */
export async function assertSchemaInSync(ds: DataSource): Promise<void> {
  if (await ds.showMigrations()) {
    throw new Error('schema out of sync: migrations are pending');
  }
  const pending = await pendingSchemaChanges(ds);
  if (pending.length > 0) {
    throw new Error(
      `schema out of sync: the entities differ from the migrations; synchronize would run:\n${pending
        .map((sql) => `  ${sql};`)
        .join('\n')}`,
    );
  }
}
