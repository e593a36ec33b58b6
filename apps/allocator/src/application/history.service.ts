import { DomainError } from '@ipledger/domain';
import type { EventStore, HistoryQuery as StoreHistoryQuery } from '@ipledger/event-store';
import type { CallContext, HistoryEntryView, HistoryQuery, HistoryService } from '../ports/index.js';

const PAGE = 1000;

/**
 * History: everything the ledger recorded about an IP, a pod, a node or an ENI, oldest first, read from the
 * event store's history query one page at a time so a long history streams without being held in memory.
 */
export class LedgerHistoryService implements HistoryService {
  constructor(private readonly store: EventStore) {}

  async *history(query: HistoryQuery, ctx: CallContext): AsyncIterable<HistoryEntryView> {
    const filter = { ...subjectFilter(query), from: instant('from', query.from), to: inclusiveEnd(query.to) };
    let afterPosition: string | undefined;
    for (;;) {
      if (ctx.signal.aborted) {
        return;
      }
      const page = await this.store.history({ ...filter, afterPosition, limit: PAGE });
      for (const e of page) {
        yield {
          position: e.position,
          stream: e.streamId,
          type: e.type,
          at: e.recordedAt.toISOString(),
          dataJson: JSON.stringify(e.data),
        };
      }
      if (page.length < PAGE) {
        return;
      }
      afterPosition = page.at(-1)?.position;
    }
  }
}

function subjectFilter(query: HistoryQuery): StoreHistoryQuery {
  const subject = query.subject;
  switch (subject.kind) {
    case 'ip':
      return { ip: subject.ip };
    case 'node':
      return { node: subject.node };
    case 'eni':
      return { eniId: subject.eniId };
    case 'pod':
      return subject.pod.uid
        ? { podUid: subject.pod.uid }
        : { podNamespace: subject.pod.namespace, podName: subject.pod.name };
  }
}

function instant(field: string, value: string | null): Date | undefined {
  if (!value) {
    return undefined;
  }
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    throw new DomainError('invalid-argument', `${field}: not an RFC 3339 timestamp: ${value}`, { field });
  }
  return parsed;
}

/** The API's `to` is inclusive, the store's exclusive: one millisecond later (its resolution). */
function inclusiveEnd(value: string | null): Date | undefined {
  const end = instant('to', value);
  return end && new Date(end.getTime() + 1);
}
