import { describe, expect, it } from 'vitest';
import { type HistoryEntry } from '@ipledger/proto';
import { describeEvent, heldFor, holdings, toTimelineEvent } from './history-timeline.js';

let position = 0;
function entry(type: string, at: string, data: Record<string, unknown>): HistoryEntry {
  position += 1;
  return { position: String(position), stream: 'node-n1', type, at, data_json: JSON.stringify(data) };
}

const web0 = { namespace: 'default', name: 'web-0', uid: 'uid-1' };
const web1 = { namespace: 'default', name: 'web-1', uid: 'uid-2' };
const allocated = (at: string, pod: typeof web0, containerId: string, ip = '10.0.1.5') =>
  entry('IpAllocated', at, { node: 'n1', ip, eniId: 'eni-1', pod, containerId, owner: null, idempotencyKey: '', at });
const released = (at: string, pod: typeof web0, ip = '10.0.1.5') =>
  entry('IpReleased', at, {
    ...{ node: 'n1', ip, eniId: 'eni-1', pod, containerId: 'c', reason: 'pod deleted' },
    ...{ cooldownUntil: '2026-11-21T10:01:00Z', at },
  });

describe('describeEvent', () => {
  it('tells an allocation and a release in one sentence each', () => {
    const container = 'a'.repeat(64);
    expect(describeEvent(toTimelineEvent(allocated('2026-11-21T10:00:00Z', web0, container)))).toBe(
      `10.0.1.5 allocated to default/web-0 (container ${'a'.repeat(12)}) on eni-1`,
    );
    expect(describeEvent(toTimelineEvent(released('2026-11-21T10:00:00Z', web0)))).toBe(
      '10.0.1.5 released by default/web-0 (pod deleted); cooling down until 2026-11-21T10:01:00Z',
    );
  });

  it('counts and lists assigned addresses', () => {
    const assigned = entry('IpsAssigned', 't', { node: 'n1', eniId: 'eni-1', ips: ['10.0.1.5', '10.0.1.6'] });
    expect(describeEvent(toTimelineEvent(assigned))).toBe('2 IPs assigned to eni-1: 10.0.1.5, 10.0.1.6');
  });

  it('shows an event type it does not know by its raw data', () => {
    const future = toTimelineEvent(entry('IpTeleported', 't', { ip: '10.0.1.5', to: 'mars' }));
    expect(future.event).toBeNull();
    expect(describeEvent(future)).toBe('{"ip":"10.0.1.5","to":"mars"}');
  });

  it('keeps data that is not JSON instead of failing', () => {
    const broken = toTimelineEvent({ position: '1', stream: 's', type: 'X', at: 't', data_json: '{oops' });
    expect(broken.data).toEqual({ raw: '{oops' });
  });
});

describe('holdings', () => {
  it('pairs each allocation with its release, per IP, oldest first', () => {
    const spans = holdings(
      [
        allocated('2026-11-21T10:00:00Z', web0, 'c0'),
        allocated('2026-11-21T10:00:01Z', web1, 'c1', '10.0.1.6'),
        released('2026-11-21T10:05:00Z', web0),
        allocated('2026-11-21T10:07:00Z', web1, 'c2'),
      ].map(toTimelineEvent),
    );
    expect(spans.map((h) => [h.ip, h.pod, h.from, h.until, h.end])).toEqual([
      ['10.0.1.5', 'default/web-0', '2026-11-21T10:00:00Z', '2026-11-21T10:05:00Z', 'released: pod deleted'],
      ['10.0.1.6', 'default/web-1', '2026-11-21T10:00:01Z', null, null],
      ['10.0.1.5', 'default/web-1', '2026-11-21T10:07:00Z', null, null],
    ]);
  });

  it('ends a holding when another container of the pod takes the address over', () => {
    const spans = holdings(
      [allocated('2026-11-21T10:00:00Z', web0, 'c-old'), allocated('2026-11-21T10:00:09Z', web0, 'c-new')].map(
        toTimelineEvent,
      ),
    );
    expect(spans.map((h) => [h.containerId, h.until, h.end])).toEqual([
      ['c-old', '2026-11-21T10:00:09Z', 'taken over by container c-new'],
      ['c-new', null, null],
    ]);
  });

  it('ends the holdings on an ENI when the ENI is deleted', () => {
    const spans = holdings(
      [
        allocated('2026-11-21T10:00:00Z', web0, 'c0'),
        entry('EniDeleted', '2026-11-21T11:00:00Z', { node: 'n1', eniId: 'eni-1', at: '2026-11-21T11:00:00Z' }),
      ].map(toTimelineEvent),
    );
    expect(spans[0]).toMatchObject({ until: '2026-11-21T11:00:00Z', end: 'its ENI was deleted' });
  });
});

describe('heldFor', () => {
  it('measures a closed span, and an open one up to now, to the second', () => {
    const [closed, open] = holdings(
      [
        allocated('2026-11-21T10:00:00Z', web0, 'c0'),
        released('2026-11-21T11:30:05.400Z', web0),
        allocated('2026-11-21T11:59:58Z', web1, 'c1', '10.0.1.9'),
      ].map(toTimelineEvent),
    );
    expect(heldFor(closed, new Date('2026-11-21T12:00:00Z'))).toBe('1h30m5s');
    expect(heldFor(open, new Date('2026-11-21T12:00:00Z'))).toBe('2s');
  });
});
