import type { OutboxRelayStats } from '@ipledger/messaging';

/** What the relay worker starts with. */
export interface RelayWorkerData {
  databaseUrl: string;
  natsServers: string[];
  /** How often the worker reports its stats (activity, lag) to the main thread. */
  statsIntervalMs: number;
}

export type MainToRelay = { type: 'wake' } | { type: 'stop' };

export type RelayToMain =
  { type: 'stats'; stats: OutboxRelayStats | null } | { type: 'problem'; message: string } | { type: 'stopped' };
