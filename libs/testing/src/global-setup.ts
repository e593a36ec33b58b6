// Runs once before the whole suite (vitest globalSetup): brings the migrated template database up to date,
// so that test files only clone it, and drops databases left behind by crashed test processes. Without a
// reachable Postgres it only warns: unit tests need none, and integration tests then fail on their own.
import { dropOrphanedTestDatabases, ensureTemplate, withAdminClient, withTemplateLock } from './template-database.js';

export default async function setup(): Promise<void> {
  try {
    await withAdminClient((admin) =>
      withTemplateLock(admin, async () => {
        await ensureTemplate(admin);
        await dropOrphanedTestDatabases(admin);
      }),
    );
  } catch (error) {
    console.warn(`ipledger globalSetup: no template database (${(error as Error).message})`);
  }
}
