// Two limiters on two connection pools to one database, as two allocator replicas would be: together they
// must stay within one bucket per API, measured on real time.
import { type CloudApiName, type CloudRateLimiterPort } from '@ipledger/cloud';
import { assertSchemaInSync, createDataSource } from '@ipledger/event-store';
import { type TestDatabase, createTestDatabase } from '@ipledger/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudRateBucketEntity } from './cloud-rate-bucket.entity.js';
import { PostgresRateLimiter } from './postgres-rate-limiter.js';

let db: TestDatabase;
const dataSources: DataSource[] = [];
/** The eni-config's `rate_limit` as both replicas see it; tests edit it live. */
const limits: Partial<Record<CloudApiName, number>> = {};
let replicas: CloudRateLimiterPort[];

async function openDataSource(): Promise<DataSource> {
  const ds = createDataSource({ url: db.url, entities: [CloudRateBucketEntity], poolSize: 3 });
  await ds.initialize();
  dataSources.push(ds);
  return ds;
}

beforeAll(async () => {
  db = await createTestDatabase('rate-buckets');
  const [a, b] = [await openDataSource(), await openDataSource()];
  replicas = [new PostgresRateLimiter(a, () => limits), new PostgresRateLimiter(b, () => limits)];
});

afterAll(async () => {
  for (const ds of dataSources) {
    await ds.destroy().catch(() => undefined);
  }
  await db?.drop();
});

/** `count` acquires of `api`, alternating between the replicas, all at once; ms after the start of each grant. */
async function burst(api: CloudApiName, count: number): Promise<number[]> {
  const start = performance.now();
  const grants = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      replicas[i % replicas.length].acquire(api).then(() => performance.now() - start),
    ),
  );
  return grants.sort((x, y) => x - y);
}

async function bucketRow(api: CloudApiName): Promise<{ tokens: number; per_minute: number }> {
  const [row] = await dataSources[0].query<{ tokens: number; per_minute: number }[]>(
    `SELECT tokens, per_minute FROM cloud_rate_buckets WHERE api = $1`,
    [api],
  );
  return row;
}

describe('PostgresRateLimiter', () => {
  it('the buckets table matches its entity', async () => {
    await expect(assertSchemaInSync(dataSources[0])).resolves.toBeUndefined();
  });

  it('two replicas share one bucket: a burst gets a minute’s worth at once, the rest only as tokens refill', async () => {
    // 60 a minute: a full bucket of 60, then one token a second.
    limits.DescribeNetworkInterfaces = 60;
    const extra = 4;
    const grants = await burst('DescribeNetworkInterfaces', 60 + extra);

    expect(grants).toHaveLength(60 + extra);
    // The first 60 come without waiting for a refill (well before the first refilled token is due)...
    expect(grants.filter((t) => t < 900)).toHaveLength(60);
    // ... and the k-th of the rest no sooner than k seconds after the burst began, nor much later.
    grants.slice(60).forEach((t, i) => {
      expect(t).toBeGreaterThanOrEqual((i + 1) * 1_000 - 50);
      expect(t).toBeLessThan((i + 1) * 1_000 + 1_500);
    });
    expect((await bucketRow('DescribeNetworkInterfaces')).per_minute).toBe(60);
  }, 20_000);

  it('applies an edited per_minute at the next acquire, raised or lowered', async () => {
    limits.AssignPrivateIpAddresses = 60;
    expect(await burst('AssignPrivateIpAddresses', 60)).toHaveLength(60);

    // Empty at 60 a minute, the next 10 would take 10 s; at 1 200 a minute (one per 50 ms) about half a second.
    limits.AssignPrivateIpAddresses = 1_200;
    const raised = await burst('AssignPrivateIpAddresses', 10);
    expect(raised.at(-1)).toBeGreaterThanOrEqual(400);
    expect(raised.at(-1)).toBeLessThan(3_000);
    expect((await bucketRow('AssignPrivateIpAddresses')).per_minute).toBe(1_200);

    // Lowered to 30, a bucket that has refilled beyond that is cut down to 30 by the next take.
    limits.AssignPrivateIpAddresses = 30;
    await dataSources[0].query(
      `UPDATE cloud_rate_buckets SET tokens = 1200, refilled_at = clock_timestamp() WHERE api = 'AssignPrivateIpAddresses'`,
    );
    await replicas[1].acquire('AssignPrivateIpAddresses');
    const row = await bucketRow('AssignPrivateIpAddresses');
    expect(row.per_minute).toBe(30);
    expect(row.tokens).toBeGreaterThanOrEqual(29);
    expect(row.tokens).toBeLessThan(29.5);
  }, 20_000);

  it('refuses a token when the database cannot be reached, and serves the next caller once it can', async () => {
    limits.DeleteNetworkInterface = 60;
    const ds = await openDataSource();
    const limiter = new PostgresRateLimiter(ds, () => limits);
    await ds.destroy();
    await expect(limiter.acquire('DeleteNetworkInterface')).rejects.toThrow();
    await ds.initialize();
    await expect(limiter.acquire('DeleteNetworkInterface')).resolves.toBeGreaterThanOrEqual(0);
  });
});
