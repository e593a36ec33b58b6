import { describe, expect, it } from 'vitest';
import { settleBoth } from './settle-both.js';

describe('settleBoth', () => {
  it('gives both values when both succeed', async () => {
    expect(await settleBoth(Promise.resolve(1), Promise.resolve('two'))).toEqual([1, 'two']);
  });

  it('fails only after the other step has finished too', async () => {
    let secondDone = false;
    const second = new Promise<void>((resolve) =>
      setTimeout(() => {
        secondDone = true;
        resolve();
      }, 20),
    );
    await expect(settleBoth(Promise.reject(new Error('first')), second)).rejects.toThrow('first');
    expect(secondDone).toBe(true);
  });

  it('fails with the first failure in argument order when both fail', async () => {
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('first')), 20));
    await expect(settleBoth(late, Promise.reject(new Error('second')))).rejects.toThrow('first');
  });

  it('fails with the second failure when only the second fails', async () => {
    await expect(settleBoth(Promise.resolve(1), Promise.reject(new Error('second')))).rejects.toThrow('second');
  });
});
