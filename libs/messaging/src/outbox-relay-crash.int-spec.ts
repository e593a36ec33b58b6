import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { PostgresEventStore, createDataSource } from '@ipledger/event-store';
import {
  type NatsServer,
  type TestDatabase,
  bundleScript,
  createTestDatabase,
  startNatsServer,
  waitUntil,
} from '@ipledger/testing';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStream } from './jetstream-stream.js';
import { deliveryViolations, readStreamContents } from './testing/stream-contents.js';

const STREAM = 'IPLEDGER_CRASH';
const meta = { actor: 'test/relay-crash' };

let db: TestDatabase;
let ds: DataSource;
let nats: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let script: string;
const children: ChildProcess[] = [];

function startRelayProcess(resume: boolean): ChildProcess {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, DATABASE_URL: db.url, NATS_URL: nats.url, STREAM, RESUME: String(resume) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout?.resume();
  children.push(child);
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }
}

const storedCount = async () => (await jsm.streams.info(STREAM)).state.messages;

beforeAll(async () => {
  db = await createTestDatabase('relay-crash');
  ds = createDataSource({ url: db.url, poolSize: 10 });
  await ds.initialize();
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
  await ensureStream(jsm, { name: STREAM });
  script = await bundleScript(resolve(import.meta.dirname, 'testing/relay-process.ts'));
});

afterAll(async () => {
  await Promise.all(children.map((c) => kill(c, 'SIGKILL')));
  await nc?.close();
  await nats?.stop();
  await ds?.destroy();
  await db?.drop();
  if (script) {
    rmSync(script, { force: true });
  }
});

describe('OutboxRelay across crashes', () => {
  it('holds every event exactly once, in per-stream order, after relays are SIGKILLed mid-stream', async () => {
    const store = new PostgresEventStore(ds, []);
    const ids: string[] = [];
    const produce = async (s: number) => {
      for (let v = 0; v < 120;) {
        const node = `crash-${s}.example.internal`;
        const events = Array.from({ length: 1 + ((v + s) % 4) }, () => ({
          id: randomUUID(),
          type: 'IpAllocated',
          data: { node, ip: `10.${s}.0.${v % 250}` },
        }));
        ids.push(...events.map((e) => e.id));
        await store.append(`node-${node}`, v, events, meta);
        v += events.length;
      }
    };
    const producing = Promise.all(Array.from({ length: 8 }, (_, s) => produce(s)));

    // Two crashes where only Nats-Msg-Id deduplication prevents doubles, then a relay that resumes.
    let threshold = 150;
    for (const resume of [false, false]) {
      const relay = startRelayProcess(resume);
      await waitUntil(async () => (await storedCount()) >= threshold, { message: `fewer than ${threshold} stored` });
      await kill(relay, 'SIGKILL');
      threshold += 200;
    }
    const last = startRelayProcess(true);
    await producing;
    await waitUntil(async () => (await storedCount()) >= ids.length, { timeoutMs: 60_000, message: 'not all stored' });
    await kill(last, 'SIGTERM');

    const stored = await readStreamContents(jsm, STREAM);
    expect(stored).toHaveLength(ids.length);
    expect(deliveryViolations(stored, ids)).toEqual([]);
    await store.settled();
  });
});
