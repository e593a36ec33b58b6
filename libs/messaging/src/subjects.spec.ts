import { describe, expect, it } from 'vitest';
import { nodeFromSubjectToken, nodeSubjectFilter, nodeSubjectToken, subjectForEvent } from './subjects.js';

describe('subjects', () => {
  it('encodes node names with dots reversibly into one token', () => {
    const node = 'cn-hangzhou.i-bp1abc.internal';
    expect(nodeSubjectToken(node)).toBe('cn-hangzhou_i-bp1abc_internal');
    expect(nodeFromSubjectToken(nodeSubjectToken(node))).toBe(node);
    expect(nodeSubjectFilter(node)).toBe('ipledger.v1.node.cn-hangzhou_i-bp1abc_internal.>');
    expect(nodeSubjectFilter('n1', 'test.v9')).toBe('test.v9.node.n1.>');
  });

  it('refuses node names that cannot be a reversible token', () => {
    for (const bad of ['', 'a_b', 'a b', 'a*', 'a>']) {
      expect(() => nodeSubjectToken(bad)).toThrow(/subject token/);
    }
  });

  it('routes node events by data.node, vSwitch and cluster streams by their names, the rest by stream id', () => {
    const nodeEvent = { streamId: 'node-a.b', type: 'IpAllocated', data: { node: 'a.b', ip: '10.0.0.1' } };
    expect(subjectForEvent(nodeEvent)).toBe('ipledger.v1.node.a_b.IpAllocated');
    const fixed = { streamId: 'fixed-shop/db-0', type: 'FixedIpBound', data: { node: 'n2' } };
    expect(subjectForEvent(fixed)).toBe('ipledger.v1.node.n2.FixedIpBound');
    const vswitch = { streamId: 'vswitch-vsw-123', type: 'VSwitchBlocked', data: { vswitchId: 'vsw-123' } };
    expect(subjectForEvent(vswitch, 'p')).toBe('p.vswitch.vsw-123.VSwitchBlocked');
    expect(subjectForEvent({ streamId: 'cluster', type: 'ConfigApplied', data: {} })).toBe(
      'ipledger.v1.cluster.ConfigApplied',
    );
    expect(subjectForEvent({ streamId: 'fixed-shop/db.0', type: 'FixedIpExpired', data: null })).toBe(
      'ipledger.v1.stream.fixed-shop/db_0.FixedIpExpired',
    );
  });

  it('refuses event types that would break the subject', () => {
    expect(() => subjectForEvent({ streamId: 'cluster', type: 'Bad Type', data: {} })).toThrow(/subject token/);
  });
});
