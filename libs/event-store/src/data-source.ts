import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from '../../../migrations/index.js';
import { LEDGER_ENTITIES } from './stream-snapshot.entity.js';

export interface DataSourceConfig {
  /** postgres://user[:password]@host:port/database */
  url: string;
  /**
   * The projections' entities. The ledger's own tables need none (it speaks raw SQL), except the snapshots'
   * (LEDGER_ENTITIES), which every data source carries so that schema checks cover that table too.
   */
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
    entities: withLedgerEntities(config.entities ?? []),
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

function withLedgerEntities(entities: NonNullable<DataSourceOptions['entities']>): DataSourceOptions['entities'] {
  const listed = Array.isArray(entities) ? entities : Object.values(entities);
  return [...LEDGER_ENTITIES, ...listed.filter((e) => !(LEDGER_ENTITIES as unknown[]).includes(e))];
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
