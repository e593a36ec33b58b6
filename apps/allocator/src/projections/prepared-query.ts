import type { PoolClient } from 'pg';
import { type EntityManager, QueryFailedError } from 'typeorm';

/**
 * Runs a hot projection statement as a named prepared statement on the transaction's connection: Postgres
 * parses and plans it once per connection instead of on every batch (planning the wave statement alone costs
 * about a millisecond). Failures come back as TypeORM's QueryFailedError, as from `em.query`. A manager with
 * no query runner of its own falls back to `em.query`.
 */
export async function preparedQuery<T>(em: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  if (!em.queryRunner) {
    return em.query<T[]>(text, values);
  }
  const client = (await em.queryRunner.connect()) as PoolClient;
  try {
    const result = await client.query({ name, text, values });
    return result.rows as T[];
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
}
