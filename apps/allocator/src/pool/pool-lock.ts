import { Logger } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';

/**
 * One pool maintainer per node cluster-wide: a session-level Postgres advisory lock per node, taken on one
 * dedicated connection of this process. Session locks need no open transaction, so a cycle that waits for
 * the cloud for seconds pins nothing (an open transaction would hold back the outbox relay's xmin horizon).
 * If the connection dies, Postgres drops every lock it held; the saga stays safe because each of its steps
 * appends with an expected stream version.
 */
export class PoolLock {
  private readonly log = new Logger(PoolLock.name);
  private runner: QueryRunner | null = null;
  private connecting: Promise<QueryRunner> | null = null;
  /** One connection runs one query at a time: lock calls for different nodes queue here. */
  private queue: Promise<unknown> = Promise.resolve();

  /** `namespace` keeps one lock family's keys apart from another's (a node named like a sweeper). */
  constructor(
    private readonly dataSource: DataSource,
    private readonly namespace = 'ipledger.pool/',
  ) {}

  /** True when this process now holds the key's lock (a node's); false when another process does. */
  async tryAcquire(node: string): Promise<boolean> {
    const rows = await this.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(hashtextextended($1 || $2, 0)) AS locked`,
      [this.namespace, node],
    );
    return rows[0]?.locked === true;
  }

  async release(node: string): Promise<void> {
    try {
      await this.query(`SELECT pg_advisory_unlock(hashtextextended($1 || $2, 0))`, [this.namespace, node]);
    } catch (error) {
      // A lost session already released the lock.
      this.log.warn(`unlock of ${node} failed: ${String(error)}`);
    }
  }

  async close(): Promise<void> {
    const runner = this.runner;
    this.runner = null;
    if (runner && !runner.isReleased) {
      await runner.release();
    }
  }

  private query<T>(sql: string, params: unknown[]): Promise<T[]> {
    const result = this.queue.then(() => this.queryNow<T>(sql, params));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async queryNow<T>(sql: string, params: unknown[]): Promise<T[]> {
    const runner = await this.connection();
    try {
      return (await runner.query(sql, params)) as T[];
    } catch (error) {
      // The session may be gone; the next call opens a new one.
      await this.close().catch(() => undefined);
      throw error;
    }
  }

  private connection(): Promise<QueryRunner> {
    if (this.runner && !this.runner.isReleased) {
      return Promise.resolve(this.runner);
    }
    this.connecting ??= (async () => {
      const runner = this.dataSource.createQueryRunner();
      await runner.connect();
      this.runner = runner;
      return runner;
    })().finally(() => (this.connecting = null));
    return this.connecting;
  }
}
