import { describe, expect, it } from 'vitest';
import { ManualClock } from './testing/manual-clock.js';
import { WaitingLine } from './waiting-line.js';

describe('WaitingLine', () => {
  it('serves callers one at a time in arrival order and tells each how long it waited', async () => {
    const clock = new ManualClock();
    const line = new WaitingLine(clock);
    const served: string[] = [];
    const turn = (name: string) => async () => {
      served.push(`${name} starts`);
      await clock.sleep(10);
      served.push(`${name} ends`);
    };
    const waits = Promise.all([line.join(turn('a')), line.join(turn('b')), line.join(turn('c'))]);
    await clock.advance(30);
    expect(await waits).toEqual([10, 20, 30]);
    expect(served).toEqual(['a starts', 'a ends', 'b starts', 'b ends', 'c starts', 'c ends']);
  });

  it('fails only the caller whose turn failed; the next one is still served', async () => {
    const line = new WaitingLine(new ManualClock());
    const failed = line.join(() => Promise.reject(new Error('database down')));
    const next = line.join(() => Promise.resolve());
    await expect(failed).rejects.toThrow('database down');
    await expect(next).resolves.toBe(0);
  });
});
