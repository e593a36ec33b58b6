import { describe, expect, it } from 'vitest';
import { chooseNode, nextChurnAction, pick, PodNamer } from './pod-churn.js';

describe('PodNamer', () => {
  it('names pods per app, round-robin, never twice, with one owner per app', () => {
    let id = 0;
    const namer = new PodNamer(() => `id-${++id}`);
    const pods = Array.from({ length: 6 }, () => namer.next());
    expect(pods.map((p) => p.name)).toEqual(['web-1', 'api-1', 'worker-1', 'cache-1', 'web-2', 'api-2']);
    expect(new Set(pods.map((p) => p.uid)).size).toBe(6);
    expect(pods[4].owner).toEqual(pods[0].owner);
    expect(pods[1].owner.uid).not.toBe(pods[0].owner.uid);
  });
});

describe('chooseNode', () => {
  it('picks the node with the most room relative to its size', () => {
    const nodes = [
      { name: 'big', maxPods: 45, running: 9 },
      { name: 'small', maxPods: 12, running: 1 },
    ];
    expect(chooseNode(nodes)).toBe('small');
  });

  it('skips full nodes and answers null when all are full', () => {
    expect(
      chooseNode([
        { name: 'a', maxPods: 2, running: 2 },
        { name: 'b', maxPods: 5, running: 4 },
      ]),
    ).toBe('b');
    expect(chooseNode([{ name: 'a', maxPods: 2, running: 2 }])).toBeNull();
  });
});

describe('nextChurnAction', () => {
  it('adds when the count fell well below the target and removes when it rose well above', () => {
    expect(nextChurnAction(5, 10, () => 0.9)).toBe('add');
    expect(nextChurnAction(0, 1, () => 0.9)).toBe('add');
    expect(nextChurnAction(15, 10, () => 0.1)).toBe('remove');
  });

  it('tosses a coin near the target', () => {
    expect(nextChurnAction(10, 10, () => 0.1)).toBe('add');
    expect(nextChurnAction(10, 10, () => 0.9)).toBe('remove');
  });
});

describe('pick', () => {
  it('maps [0, 1) onto the list and refuses an empty one', () => {
    expect(pick(['a', 'b', 'c'], () => 0)).toBe('a');
    expect(pick(['a', 'b', 'c'], () => 0.999)).toBe('c');
    expect(() => pick([], () => 0)).toThrow('empty');
  });
});
