import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedMutex', () => {
  it('runs work for one key one at a time, in arrival order', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const job = (name: string) =>
      mutex.run('node-a', async () => {
        log.push(`${name}:start`);
        await tick();
        log.push(`${name}:end`);
        return name;
      });
    const results = await Promise.all([job('1'), job('2'), job('3')]);
    expect(results).toEqual(['1', '2', '3']);
    expect(log).toEqual(['1:start', '1:end', '2:start', '2:end', '3:start', '3:end']);
  });

  it('lets different keys run side by side', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const job = (key: string) =>
      mutex.run(key, async () => {
        log.push(`${key}:start`);
        await tick();
        log.push(`${key}:end`);
      });
    await Promise.all([job('a'), job('b')]);
    expect(log).toEqual(['a:start', 'b:start', 'a:end', 'b:end']);
  });

  it('keeps going after a failed job', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run('k', () => Promise.resolve(7))).resolves.toBe(7);
  });
});
