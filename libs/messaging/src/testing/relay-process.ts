// A relay in its own process, for the crash test: DATABASE_URL, NATS_URL, STREAM, RESUME ('true'|'false').
// Prints one line per confirmed batch; SIGTERM stops it cleanly, SIGKILL is the crash under test.
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { OutboxRelay } from '../outbox-relay.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is required`);
  }
  return value;
};

const nc = await connect({ servers: env('NATS_URL') });
const relay = new OutboxRelay({
  databaseUrl: env('DATABASE_URL'),
  nc,
  jsm: await jetstreamManager(nc),
  streamName: env('STREAM'),
  resumeFromStream: process.env.RESUME === 'true',
  batchSize: 32,
  onPublished: (events) => process.stdout.write(`published ${events.length}\n`),
  onError: (error) => process.stderr.write(`relay error: ${String(error)}\n`),
});
relay.start();
process.stdout.write('started\n');

process.once('SIGTERM', () => {
  void relay
    .stop()
    .then(() => nc.drain())
    .then(() => process.exit(0));
});
