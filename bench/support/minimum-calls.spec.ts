import { describe, expect, it } from 'vitest';
import { minimumCalls } from './minimum-calls.js';

describe('minimumCalls', () => {
  it('fills ENIs one after another; the primary address comes with the ENI', () => {
    // 20 pods, 15 addresses per ENI: ENI 1 holds 15 (14 secondary: 2 assigns), ENI 2 holds 5 (4: 1 assign).
    expect(minimumCalls([20], 15)).toEqual({ enis: 2, creates: 2, attaches: 2, assigns: 3, total: 7 });
  });

  it('needs no assign for a pod that the primary address serves, and nothing for a node without pods', () => {
    expect(minimumCalls([1, 0], 15)).toEqual({ enis: 1, creates: 1, attaches: 1, assigns: 0, total: 2 });
  });

  it('adds up over nodes (210 pods on a 30-address type: 7 full ENIs, 35 calls)', () => {
    expect(minimumCalls([210], 30).total).toBe(35);
    expect(minimumCalls([20, 20, 20], 15).total).toBe(21);
  });
});
