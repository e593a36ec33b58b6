import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from '../../../migrations/index.js';

export interface DataSourceConfig {
  /** postgres://user[:password]@host:port/database */
  url: string;
  /** The projections' entities; the ledger's own tables need none (it speaks raw SQL). */
  entities?: NonNullable<DataSourceOptions['entities']>;
  /** Connections in the pool. Appends hold one for their whole transaction; 30 serves 64 busy clients. */
  poolSize?: number;
  /** Shows in pg_stat_activity. */
  applicationName?: string;
  logging?: boolean;
}

export const DEFAULT_POOL_SIZE = 30;

/** Options for `new DataSource(...)` or Nest's TypeOrmModule: schema from migrations only, never synchronize. */
export function dataSourceOptions(config: DataSourceConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.url,
    entities: config.entities ?? [],
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    poolSize: config.poolSize ?? DEFAULT_POOL_SIZE,
    applicationName: config.applicationName ?? 'ipledger',
    logging: config.logging ?? false,
  };
}

/** A DataSource that is not connected yet: `await ds.initialize()`. */
export function createDataSource(config: DataSourceConfig): DataSource {
  return new DataSource(dataSourceOptions(config));
}

/** Applies pending migrations, each in its own transaction; returns the names of those applied. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}
