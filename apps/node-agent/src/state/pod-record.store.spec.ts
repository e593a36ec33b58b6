import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppliedVersionStore } from './applied-version.store.js';
import { PodRecordStore } from './pod-record.store.js';

const dirs: string[] = [];
function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ipl-agent-state-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

const pod = { namespace: 'default', name: 'web-0', uid: 'uid-1' };

describe('PodRecordStore', () => {
  it('writes, reads, overwrites and removes a record, leaving no temporary file', async () => {
    const dir = stateDir();
    const store = new PodRecordStore(dir, () => new Date('2026-11-21T10:00:00Z'));
    await store.init();
    await store.put({ containerId: 'c1', ifName: 'eth0', netns: '/var/run/netns/p1', pod, phase: 'allocating' });
    await store.put({
      containerId: 'c1',
      ifName: 'eth0',
      netns: '/var/run/netns/p1',
      pod,
      phase: 'ready',
      ip: '10.0.1.5',
    });
    expect(await store.get('c1')).toMatchObject({
      phase: 'ready',
      ip: '10.0.1.5',
      updatedAt: '2026-11-21T10:00:00.000Z',
    });
    expect(readdirSync(join(dir, 'pods'))).toEqual(['c1.json']);
    await store.remove('c1');
    await store.remove('c1');
    expect(await store.get('c1')).toBeNull();
  });

  it('lists readable records and reports the unreadable ones', async () => {
    const dir = stateDir();
    const store = new PodRecordStore(dir);
    await store.init();
    await store.put({ containerId: 'a', ifName: 'eth0', netns: '/n/a', pod, phase: 'ready' });
    writeFileSync(join(dir, 'pods', 'b.json'), '{"containerId": "b"');
    writeFileSync(join(dir, 'pods', 'c.json'), '{"hello": 1}');
    const { records, unreadable } = await store.list();
    expect(records.map((r) => r.containerId)).toEqual(['a']);
    expect(unreadable.map((u) => u.file.split('/').at(-1))).toEqual(['b.json', 'c.json']);
  });
});

describe('AppliedVersionStore', () => {
  it('keeps the highest version across instances and ignores another stream', async () => {
    const dir = stateDir();
    const first = new AppliedVersionStore(dir, 'node-a');
    expect(await first.load()).toBe(0);
    await first.record(7);
    await first.record(3);
    expect(await new AppliedVersionStore(dir, 'node-a').load()).toBe(7);
    expect(await new AppliedVersionStore(dir, 'node-b').load()).toBe(0);
  });
});
