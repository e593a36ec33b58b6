import { describe, expect, it } from 'vitest';
import { Shutdown } from './shutdown.js';
import { Teardown } from './teardown.js';

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function shutdown(said: string[]) {
  return new Shutdown(
    (text) => said.push(text),
    60_000,
    (code) => {
      throw new Exited(code);
    },
  );
}

describe('Shutdown', () => {
  it('asks for a clean stop on the first signal', () => {
    const said: string[] = [];
    const subject = shutdown(said);
    subject.handle('SIGINT');
    expect(subject.signal.aborted).toBe(true);
    expect(said).toEqual(['SIGINT: stopping the cluster (press Ctrl-C again to force)']);
    subject.dispose();
  });

  it('forces the exit on the second signal, running every last-resort step newest first', () => {
    const said: string[] = [];
    const steps: string[] = [];
    const subject = shutdown(said);
    subject.onForce(() => steps.push('delete namespaces'));
    subject.onForce(() => {
      steps.push('kill children');
      throw new Error('already gone');
    });
    subject.handle('SIGINT');
    expect(() => subject.handle('SIGINT')).toThrow(new Exited(130));
    expect(steps).toEqual(['kill children', 'delete namespaces']);
    expect(said.at(-1)).toContain('forcing the exit');
    subject.dispose();
  });
});

describe('Teardown', () => {
  it('runs every step newest first, past failures and timeouts, and reports them', async () => {
    const ran: string[] = [];
    const teardown = new Teardown();
    teardown.add('nats', () => {
      ran.push('nats');
      return Promise.resolve();
    });
    teardown.add('stuck', () => new Promise(() => undefined), 20);
    teardown.add('broken', () => Promise.reject(new Error('boom')));
    expect(await teardown.run()).toEqual(['broken: boom', 'stuck: timed out after 0.02 s']);
    expect(ran).toEqual(['nats']);
    expect(await teardown.run()).toEqual([]);
  });
});
