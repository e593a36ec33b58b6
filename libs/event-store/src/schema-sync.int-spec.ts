import { type TestDatabase, createTestDatabase } from '@ipledger/testing';
import { Column, type DataSource, Entity, PrimaryColumn } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from './data-source.js';
import { assertSchemaInSync, pendingSchemaChanges } from './schema-sync.js';

@Entity('sample_widgets')
class SampleWidget {
  @PrimaryColumn('text')
  id: string;

  @Column('integer')
  size: number;

  @Column('text', { nullable: true })
  label: string | null;
}

let db: TestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase('schema-sync');
  ds = createDataSource({ url: db.url, entities: [SampleWidget], poolSize: 2 });
  await ds.initialize();
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

describe('assertSchemaInSync', () => {
  it('passes when the migrated tables match the entities, and lists the SQL when they do not', async () => {
    await expect(assertSchemaInSync(ds)).rejects.toThrow(/CREATE TABLE "sample_widgets"/);

    await ds.query(`CREATE TABLE sample_widgets (id text PRIMARY KEY, size integer NOT NULL, label text)`);
    expect(await pendingSchemaChanges(ds)).toEqual([]);
    await expect(assertSchemaInSync(ds)).resolves.toBeUndefined();

    await ds.query(`ALTER TABLE sample_widgets DROP COLUMN label`);
    await expect(assertSchemaInSync(ds)).rejects.toThrow(/ADD "label" text/);
  });
});
