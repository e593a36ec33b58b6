// `ipledger history (--ip | --pod | --node | --eni) [--from] [--to]`: what the ledger recorded, oldest first.
// For an IP or a pod it first says who held which address and when; then the full timeline follows.
import { type HistoryRequest } from '@ipledger/proto';
import { type Target } from '../cli-args.js';
import {
  describeEvent,
  heldFor,
  type Holding,
  holdings,
  shortId,
  type TimelineEvent,
  toTimelineEvent,
} from '../render/history-timeline.js';
import { renderTable } from '../render/table.renderer.js';
import { type CommandContext, writeJson } from './command-context.js';

export interface HistoryOptions {
  target: Target;
  from: string | null;
  to: string | null;
}

export async function runHistory(ctx: CommandContext, options: HistoryOptions): Promise<void> {
  const events: TimelineEvent[] = [];
  for await (const entry of ctx.allocator().history(historyRequest(options))) {
    events.push(toTimelineEvent(entry));
  }
  if (ctx.json) {
    writeJson(
      ctx,
      events.map(({ event: _event, ...rest }) => rest),
    );
  } else {
    ctx.write(renderHistory(options, events, ctx.now));
  }
}

export function historyRequest({ target, from, to }: HistoryOptions): HistoryRequest {
  const bounds = { ...(from !== null && { from }), ...(to !== null && { to }) };
  switch (target.kind) {
    case 'ip':
      return { ip: target.ip, ...bounds };
    case 'pod':
      return { pod: { namespace: target.pod.namespace, name: target.pod.name, uid: target.pod.uid ?? '' }, ...bounds };
    case 'node':
      return { node: target.node, ...bounds };
    case 'eni':
      return { eni: target.eni, ...bounds };
  }
}

export function renderHistory(options: HistoryOptions, events: readonly TimelineEvent[], now: Date): string {
  const subject = subjectText(options.target);
  if (events.length === 0) {
    return `No recorded events for ${subject}${rangeText(options)}.\n`;
  }
  const parts: string[] = [];
  if (options.target.kind === 'ip' || options.target.kind === 'pod') {
    const spans = holdings(events);
    parts.push(
      spans.length === 0
        ? `No pod held ${subject === 'the pod' ? 'an address' : subject}${rangeText(options)}.\n`
        : `${options.target.kind === 'ip' ? `Held ${subject}` : `Addresses of ${subject}`}:\n${renderHoldings(spans, now)}`,
    );
  }
  parts.push(`Events for ${subject}${rangeText(options)}:\n${renderTimeline(events)}`);
  return parts.join('\n');
}

function renderHoldings(spans: readonly Holding[], now: Date): string {
  return renderTable<Holding>(
    [
      { header: 'IP', cell: (h) => h.ip },
      { header: 'POD', cell: (h) => h.pod },
      { header: 'POD UID', cell: (h) => h.podUid },
      { header: 'CONTAINER', cell: (h) => shortId(h.containerId) },
      { header: 'NODE', cell: (h) => h.node },
      { header: 'FROM', cell: (h) => h.from },
      { header: 'UNTIL', cell: (h) => h.until ?? 'now (still held)' },
      { header: 'FOR', cell: (h) => heldFor(h, now), align: 'right' },
      { header: 'ENDED', cell: (h) => h.end ?? '' },
    ],
    spans,
  );
}

function renderTimeline(events: readonly TimelineEvent[]): string {
  return renderTable<TimelineEvent>(
    [
      { header: 'TIME', cell: (e) => e.at },
      { header: 'STREAM', cell: (e) => e.stream },
      { header: 'EVENT', cell: (e) => e.type },
      { header: 'DETAILS', cell: (e) => describeEvent(e) },
    ],
    events,
  );
}

function subjectText(target: Target): string {
  switch (target.kind) {
    case 'ip':
      return target.ip;
    case 'pod':
      return `pod ${target.pod.namespace}/${target.pod.name}${target.pod.uid ? ` (uid ${target.pod.uid})` : ''}`;
    case 'node':
      return `node ${target.node}`;
    case 'eni':
      return target.eni;
  }
}

function rangeText({ from, to }: HistoryOptions): string {
  return [from && ` from ${from}`, to && ` until ${to}`].filter(Boolean).join('');
}
