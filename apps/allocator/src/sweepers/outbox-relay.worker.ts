// The outbox relay in a worker thread (see outbox-relay.runner.ts): reading the outbox, encoding events and
// publishing them to JetStream then use the second core instead of the thread that serves gRPC and appends.
import { parentPort, workerData } from 'node:worker_threads';
import type { RelayToMain, MainToRelay, RelayWorkerData } from './relay-messages.js';
import { RelayHost } from './relay-host.js';

const port = parentPort;
if (!port) {
  throw new Error('outbox-relay.worker runs as a worker thread only');
}
const post = (message: RelayToMain) => port.postMessage(message);
const { databaseUrl, natsServers, statsIntervalMs } = workerData as RelayWorkerData;
const host = new RelayHost({ databaseUrl, natsServers, onProblem: (message) => post({ type: 'problem', message }) });

const stats = setInterval(() => post({ type: 'stats', stats: host.stats() }), statsIntervalMs);
port.on('message', (message: MainToRelay) => {
  switch (message.type) {
    case 'wake':
      host.wakeUp();
      break;
    case 'stop':
      clearInterval(stats);
      void host.stop().finally(() => {
        post({ type: 'stopped' });
        port.close();
      });
      break;
    default: {
      const _never: never = message;
      return _never;
    }
  }
});
host.start();
