import { describe, expect, it } from 'vitest';
import { parseBatchErrors } from './batch.runner.js';

describe('parseBatchErrors', () => {
  it('attributes each message to the batch line iproute2 names', () => {
    const stderr = 'RTNETLINK answers: File exists\nCommand failed -:2\nCannot find device "x"\nCommand failed -:5\n';
    const { failures, aborted } = parseBatchErrors(1, stderr);
    expect([...failures]).toEqual([
      [2, 'RTNETLINK answers: File exists'],
      [5, 'Cannot find device "x"'],
    ]);
    expect(aborted).toBeNull();
  });

  it('reports a tool that quit mid-batch through the text after the last marker', () => {
    const stderr =
      'RTNETLINK answers: File exists\nCommand failed -:1\nError: argument "/x" is wrong: Invalid "netns" value\n';
    expect(parseBatchErrors(255, stderr).aborted).toBe('Error: argument "/x" is wrong: Invalid "netns" value');
  });

  it('reports a namespace that cannot be entered', () => {
    expect(
      parseBatchErrors(255, 'Cannot open network namespace "nope": No such file or directory\n').aborted,
    ).toContain('Cannot open network namespace');
  });

  it('ignores warnings of lines that worked', () => {
    expect(parseBatchErrors(0, 'Warning: sch_htb: quantum of class 10010 is big.\n')).toEqual({
      failures: new Map(),
      aborted: null,
    });
  });
});
