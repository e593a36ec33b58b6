import { type TestDatabase, createTestDatabase } from '@ipledger/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from './data-source.js';
import { assertSchemaInSync } from './schema-sync.js';
import { PostgresSnapshotStore } from './snapshot-store.js';

let db: TestDatabase;
let ds: DataSource;
let snapshots: PostgresSnapshotStore;

beforeAll(async () => {
  db = await createTestDatabase('snapshots');
  ds = createDataSource({ url: db.url, poolSize: 2 });
  await ds.initialize();
  snapshots = new PostgresSnapshotStore(ds);
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

describe('PostgresSnapshotStore', () => {
  it('the snapshots table matches its entity', async () => {
    await expect(assertSchemaInSync(ds)).resolves.toBeUndefined();
  });

  it('gives back what was saved, and null for a stream without a snapshot', async () => {
    expect(await snapshots.load('s-none')).toBeNull();
    const state = {
      items: [
        ['b', 1],
        ['a', 2],
      ],
      note: 'ü',
      nested: { x: null },
    };
    await snapshots.save({ streamId: 's-1', version: 7, format: 3, state });
    const loaded = await snapshots.load('s-1');
    expect(loaded).toMatchObject({ streamId: 's-1', version: 7, format: 3, state });
    expect(loaded?.savedAt).toBeInstanceOf(Date);
  });

  it('keeps only the newest snapshot per stream, whatever order the saves arrive in', async () => {
    await snapshots.save({ streamId: 's-2', version: 10, format: 1, state: { v: 10 } });
    await snapshots.save({ streamId: 's-2', version: 20, format: 1, state: { v: 20 } });
    await snapshots.save({ streamId: 's-2', version: 15, format: 2, state: { v: 15 } });
    await snapshots.save({ streamId: 's-2', version: 20, format: 2, state: { v: 'again' } });
    expect(await snapshots.load('s-2')).toMatchObject({ version: 20, format: 1, state: { v: 20 } });
    const [{ count }] = await ds.query<{ count: string }[]>(
      `SELECT count(*) FROM stream_snapshots WHERE stream_id = 's-2'`,
    );
    expect(count).toBe('1');
  });

  it('refuses a version that names no event', async () => {
    await expect(snapshots.save({ streamId: 's-3', version: 0, format: 1, state: {} })).rejects.toThrow(/version/);
  });
});
