// The port for reading what the ledger recorded about one subject.
import { type HistoryEntryView } from './allocator.views.js';
import { type PodSelector } from './allocation.service.port.js';
import { type CallContext } from './call-context.js';

export type HistorySubject =
  | { kind: 'ip'; ip: string }
  | { kind: 'pod'; pod: PodSelector }
  | { kind: 'node'; node: string }
  | { kind: 'eni'; eniId: string };

export interface HistoryQuery {
  subject: HistorySubject;
  /** RFC 3339 in UTC (`…Z`), inclusive; null: from the start. */
  from: string | null;
  /** RFC 3339 in UTC (`…Z`), exclusive; null: up to now. */
  to: string | null;
}

export interface HistoryService {
  /** Oldest first. The edge stops iterating (return()) when the client goes away; ctx.signal aborts too. */
  history(query: HistoryQuery, ctx: CallContext): AsyncIterable<HistoryEntryView>;
}

export const HISTORY_SERVICE = Symbol('HISTORY_SERVICE');
