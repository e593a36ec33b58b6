import { randomUUID } from 'node:crypto';
import { type TestDatabase, createTestDatabase } from '@ipledger/testing';
import type { DataSource, EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from './data-source.js';
import type { Projection, RecordedEvent } from './event-store.port.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { rebuildProjections } from './projection-rebuild.js';

const meta = { actor: 'test/rebuild' };

// A sample projection over two tables: who holds each IP now, and per stream how many leases and returns it saw.
class LeasesProjection implements Projection {
  readonly name = 'leases';
  readonly tables = ['leases', 'lease_counts'];
  async apply(em: EntityManager, e: RecordedEvent): Promise<void> {
    const d = e.data as { ip: string; pod?: string };
    if (e.type === 'Leased') {
      await em.query(
        `INSERT INTO leases (ip, pod, stream_id, version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (ip) DO UPDATE SET pod = excluded.pod, stream_id = excluded.stream_id, version = excluded.version`,
        [d.ip, d.pod, e.streamId, e.streamVersion],
      );
    } else if (e.type === 'Returned') {
      await em.query(`DELETE FROM leases WHERE ip = $1`, [d.ip]);
    }
    await em.query(
      `INSERT INTO lease_counts (stream_id, leased, returned) VALUES ($1, $2, $3)
       ON CONFLICT (stream_id) DO UPDATE
       SET leased = lease_counts.leased + excluded.leased, returned = lease_counts.returned + excluded.returned`,
      [e.streamId, e.type === 'Leased' ? 1 : 0, e.type === 'Returned' ? 1 : 0],
    );
  }
}

let db: TestDatabase;
let ds: DataSource;
let store: PostgresEventStore;
const projection = new LeasesProjection();

const snapshot = async () => ({
  leases: await ds.query(`SELECT * FROM leases ORDER BY ip`),
  counts: await ds.query(`SELECT * FROM lease_counts ORDER BY stream_id`),
});

beforeAll(async () => {
  db = await createTestDatabase('rebuild');
  ds = createDataSource({ url: db.url, poolSize: 10 });
  await ds.initialize();
  await ds.query(`CREATE TABLE leases (ip text PRIMARY KEY, pod text NOT NULL, stream_id text, version int)`);
  await ds.query(`CREATE TABLE lease_counts (stream_id text PRIMARY KEY, leased int NOT NULL, returned int NOT NULL)`);
  store = new PostgresEventStore(ds, [projection]);
});

afterAll(async () => {
  await store?.settled();
  await ds?.destroy();
  await db?.drop();
});

async function writeHistory(nodes: number, steps: number): Promise<number> {
  const node = async (n: number) => {
    for (let i = 0; i < steps; i++) {
      const ip = `10.${n}.0.${i % 5}`;
      const type = i % 3 === 2 ? 'Returned' : 'Leased';
      await store.append(`node-${n}`, i, [{ id: randomUUID(), type, data: { ip, pod: `pod-${n}-${i}` } }], meta);
    }
  };
  await Promise.all(Array.from({ length: nodes }, (_, n) => node(n)));
  return nodes * steps;
}

describe('rebuildProjections', () => {
  it('gives tables identical to the ones written live, even after they were damaged', async () => {
    const appended = await writeHistory(6, 40);
    const live = await snapshot();
    expect(live.leases.length).toBeGreaterThan(0);
    expect(live.counts).toHaveLength(6);

    await ds.query(`DELETE FROM leases WHERE ip LIKE '10.1.%'`);
    await ds.query(`UPDATE leases SET pod = 'wrong'`);
    await ds.query(`INSERT INTO lease_counts VALUES ('node-x', 1, 1)`);
    expect(await snapshot()).not.toEqual(live);

    const result = await rebuildProjections(ds, [projection], { batchSize: 7 });
    expect(result).toEqual({ events: appended, tables: ['leases', 'lease_counts'] });
    expect(await snapshot()).toEqual(live);
  });

  it('leaves the old tables in place when replay fails', async () => {
    const before = await snapshot();
    const failing: Projection = {
      name: 'failing',
      tables: [],
      apply: (_em, e) => (e.streamVersion === 30 ? Promise.reject(new Error('replay broke')) : Promise.resolve()),
    };
    await expect(rebuildProjections(ds, [projection, failing])).rejects.toThrow('replay broke');
    expect(await snapshot()).toEqual(before);
  });
});
