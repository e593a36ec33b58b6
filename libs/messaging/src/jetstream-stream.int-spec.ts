import { type NatsServer, startNatsServer } from '@ipledger/testing';
import { type JetStreamManager, StorageType, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStream } from './jetstream-stream.js';

let nats: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe('ensureStream', () => {
  it('creates IPLEDGER on ipledger.v1.> with file storage and a one-hour duplicate window', async () => {
    const info = await ensureStream(jsm);
    expect(info.config).toMatchObject({
      name: 'IPLEDGER',
      subjects: ['ipledger.v1.>'],
      storage: StorageType.File,
      duplicate_window: 3_600_000_000_000,
    });
  });

  it('leaves a matching stream alone and updates one whose window or subjects differ', async () => {
    const created = await ensureStream(jsm, { name: 'LEDGER_B', subjectPrefix: 'b.v1' });
    const again = await ensureStream(jsm, { name: 'LEDGER_B', subjectPrefix: 'b.v1' });
    expect(again.created).toEqual(created.created);
    expect(again.config).toEqual(created.config);

    const updated = await ensureStream(jsm, { name: 'LEDGER_B', subjectPrefix: 'b.v2', duplicateWindowMs: 7_200_000 });
    expect(updated.config).toMatchObject({ subjects: ['b.v2.>'], duplicate_window: 7_200_000_000_000 });
    expect((await jsm.streams.info('LEDGER_B')).config.subjects).toEqual(['b.v2.>']);
  });
});
