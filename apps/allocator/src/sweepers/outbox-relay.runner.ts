import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import type { OutboxRelayStats } from '@ipledger/messaging';
import { RelayHost } from './relay-host.js';
import type { MainToRelay, RelayToMain, RelayWorkerData } from './relay-messages.js';

export interface OutboxRelayRunnerOptions {
  databaseUrl: string;
  /** NATS_URL split at commas. */
  natsServers: string[];
  /** Called every second with the relay's lag (ipledger_outbox_lag_seconds). */
  onLag?: (seconds: number) => void;
  /** `worker` (default, when the built worker file is there) or `main`: which thread runs the relay. */
  thread?: 'worker' | 'main';
}

const WORKER_FILE = fileURLToPath(new URL('./outbox-relay.worker.js', import.meta.url));
const STATS_INTERVAL_MS = 200;
const RESTART_DELAY_MS = 1_000;
const STOP_GRACE_MS = 10_000;

/**
 * Runs the outbox relay (libs/messaging, through RelayHost) inside the allocator's lifecycle, in a worker
 * thread. The relay reads every event back, encodes it and publishes it: in the main thread that work competes
 * with gRPC calls and appends (with no relay at all, the warm-pool benchmark ran about a quarter faster). The
 * main thread only wakes the worker after each commit and reads the stats it reports every 200 ms. Where the
 * worker file is not built (tests running the TypeScript sources), the relay runs in this thread instead. A
 * worker that dies is started again after a second.
 */
export class OutboxRelayRunner {
  private readonly log = new Logger(OutboxRelayRunner.name);
  private host: RelayHost | null = null;
  private worker: Worker | null = null;
  private lastStats: OutboxRelayStats | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: OutboxRelayRunnerOptions) {}

  start(): void {
    if (this.options.thread !== 'main' && existsSync(WORKER_FILE)) {
      this.startWorker();
    } else {
      this.host = new RelayHost({ ...this.relayOptions(), onProblem: (message) => this.log.warn(message) });
      this.host.start();
    }
    const onLag = this.options.onLag;
    if (onLag) {
      this.lagTimer = setInterval(() => onLag(this.relayStats()?.lagSeconds ?? 0), 1_000);
      this.lagTimer.unref();
    }
  }

  /** The relay's stats; from a worker, as of its last report (at most 200 ms old). */
  relayStats(): OutboxRelayStats | null {
    return this.host ? this.host.stats() : this.lastStats;
  }

  /** Look for new events now: called after every commit of this process's event store. */
  wakeUp(): void {
    if (this.host) {
      this.host.wakeUp();
    } else {
      this.post({ type: 'wake' });
    }
  }

  /** This process publishes the outbox (holds the relay lock): its own commits wake it without a NOTIFY. */
  isActive(): boolean {
    return this.relayStats()?.active ?? false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [this.lagTimer, this.restartTimer]) {
      if (timer) {
        clearInterval(timer);
      }
    }
    await this.host?.stop();
    await this.stopWorker();
  }

  private relayOptions() {
    return { databaseUrl: this.options.databaseUrl, natsServers: this.options.natsServers };
  }

  private startWorker(): void {
    const workerData: RelayWorkerData = { ...this.relayOptions(), statsIntervalMs: STATS_INTERVAL_MS };
    const worker = new Worker(WORKER_FILE, { workerData, name: 'ipledger-outbox-relay' });
    this.worker = worker;
    worker.on('message', (message: RelayToMain) => this.onMessage(message));
    worker.on('error', (error) => this.log.error(`outbox relay worker failed: ${String(error)}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker) {
        return;
      }
      this.worker = null;
      this.lastStats = null;
      if (!this.stopped) {
        this.log.error(`outbox relay worker exited (code ${code}); starting it again`);
        this.restartTimer = setTimeout(() => this.startWorker(), RESTART_DELAY_MS);
        this.restartTimer.unref();
      }
    });
  }

  private onMessage(message: RelayToMain): void {
    switch (message.type) {
      case 'stats':
        this.lastStats = message.stats;
        break;
      case 'problem':
        this.log.warn(message.message);
        break;
      case 'stopped':
        break;
      default: {
        const _never: never = message;
        return _never;
      }
    }
  }

  private post(message: MainToRelay): void {
    this.worker?.postMessage(message);
  }

  /** Asks the worker to finish its batch and close its connections; ends it after a grace period. */
  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) {
      return;
    }
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const grace = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    this.post({ type: 'stop' });
    await exited;
    clearTimeout(grace);
    this.worker = null;
  }
}
