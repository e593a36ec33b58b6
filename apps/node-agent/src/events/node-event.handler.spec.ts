import { DomainError } from '@ipledger/domain';
import { type RecordedEvent } from '@ipledger/event-store';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/json-logger.js';
import { NodeEventHandler, RETRY_LATER_MS, RETRY_SOON_MS } from './node-event.handler.js';

const RECORDED = new Date('2026-11-21T10:00:00.000Z');
const NOW = RECORDED.getTime() + 250;

function event(type: string, version: number, data: unknown, streamId = 'node-node-a'): RecordedEvent {
  return {
    position: String(100 + version),
    id: `ev-${version}`,
    streamId,
    streamVersion: version,
    type,
    data,
    metadata: { actor: 'allocator' },
    recordedAt: RECORDED,
  };
}

const release = {
  node: 'node-a',
  ip: '10.0.2.11',
  pod: { namespace: 'default', name: 'web-0', uid: 'uid-1' },
  containerId: 'c1',
  reason: 'pod-deleted',
  at: '2026-11-21T10:00:00Z',
};

function setup(options: { releaseFailure?: Error; prepareFailure?: Error; applied?: number } = {}) {
  const done: string[] = [];
  const timings: { seconds: number; type: string; outcome: string }[] = [];
  let version = options.applied ?? 0;
  const handler = new NodeEventHandler(
    'node-a',
    {
      releaseRequested: (request) => {
        if (options.releaseFailure) {
          return Promise.reject(options.releaseFailure);
        }
        done.push(`release ${request.containerId} ${request.ip} ${request.reason}`);
        return Promise.resolve();
      },
    },
    {
      prepare: (eniId) => {
        if (options.prepareFailure) {
          return Promise.reject(options.prepareFailure);
        }
        done.push(`prepare ${eniId}`);
        return Promise.resolve('prepared' as const);
      },
      unprepare: (eniId) => {
        done.push(`unprepare ${eniId}`);
        return Promise.resolve();
      },
      lookAhead: (eniId) => {
        done.push(`look ahead ${eniId}`);
      },
    },
    {
      get version() {
        return version;
      },
      record: (v: number) => {
        version = Math.max(version, v);
        return Promise.resolve();
      },
    },
    { recordApply: (seconds, type, outcome) => timings.push({ seconds, type, outcome }) },
    silentLogger,
    () => NOW,
  );
  return { handler, done, timings, version: () => version };
}

describe('NodeEventHandler', () => {
  it('tears a pod down on IpReleaseRequested, then acks, remembers the version and times the apply', async () => {
    const t = setup();
    expect(await t.handler.handle(event('IpReleaseRequested', 5, release))).toEqual({ ack: true });
    expect(t.done).toEqual(['release c1 10.0.2.11 pod-deleted']);
    expect(t.version()).toBe(5);
    expect(t.timings).toEqual([{ seconds: 0.25, type: 'IpReleaseRequested', outcome: 'ok' }]);
  });

  it('looks an ENI up when its attachment is asked for, prepares it once attached, unprepares it before detach', async () => {
    const t = setup();
    await t.handler.handle(event('EniAttachRequested', 1, { node: 'node-a', eniId: 'eni-1' }));
    await t.handler.handle(event('EniAttached', 2, { node: 'node-a', eniId: 'eni-1', mac: 'x', deviceIndex: 1 }));
    await t.handler.handle(event('EniDetachRequested', 3, { node: 'node-a', eniId: 'eni-1' }));
    expect(t.done).toEqual(['look ahead eni-1', 'prepare eni-1', 'unprepare eni-1']);
  });

  it('skips an event at or below the applied version', async () => {
    const t = setup({ applied: 9 });
    expect(await t.handler.handle(event('IpReleaseRequested', 9, release))).toEqual({ ack: true });
    expect(t.done).toEqual([]);
  });

  it('acks events that need nothing on the node', async () => {
    const t = setup();
    expect(await t.handler.handle(event('IpsAssigned', 3, { node: 'node-a', eniId: 'e', ips: [] }))).toEqual({
      ack: true,
    });
    expect(t.version()).toBe(3);
  });

  it('terminates malformed events with a reason naming the field, and another stream’s events', async () => {
    const t = setup();
    const poison = await t.handler.handle(event('IpReleaseRequested', 4, { ...release, containerId: 7 }));
    expect(poison).toEqual({ term: expect.stringContaining('data.containerId missing or not a string') });
    const unknown = await t.handler.handle(event('SomethingNew', 5, {}));
    expect(unknown).toEqual({ term: expect.stringContaining('unknown event type SomethingNew') });
    const foreign = await t.handler.handle(event('IpsAssigned', 6, {}, 'node-b'));
    expect(foreign).toEqual({ term: expect.stringContaining('belongs to stream node-b') });
    expect(t.version()).toBe(0);
  });

  it('naks transient failures (later) and a NIC not visible yet (soon)', async () => {
    const down = setup({ releaseFailure: new DomainError('unavailable', 'allocator unreachable') });
    expect(await down.handler.handle(event('IpReleaseRequested', 5, release))).toEqual({ nak: RETRY_LATER_MS });
    expect(down.version()).toBe(0);
    expect(down.timings[0]).toMatchObject({ outcome: 'error' });
    const noNic = setup({ prepareFailure: new DomainError('not-found', 'no NIC with the MAC') });
    expect(await noNic.handler.handle(event('EniAttached', 1, { eniId: 'eni-1' }))).toEqual({ nak: RETRY_SOON_MS });
  });

  it('terminates what retrying cannot fix', async () => {
    const t = setup({ releaseFailure: new DomainError('invalid-argument', 'pod.uid: refused', { field: 'pod.uid' }) });
    expect(await t.handler.handle(event('IpReleaseRequested', 5, release))).toEqual({
      term: expect.stringContaining('pod.uid: refused'),
    });
  });
});
