import { describe, expect, it } from 'vitest';
import { iprouteCommand, netnsArgument, nsCommand, resolveNs } from './netns-target.js';

describe('netns targets', () => {
  it('runs host operations in the agent’s own namespace in production', () => {
    const ns = resolveNs({ kind: 'host' }, null);
    expect(iprouteCommand('ip', ns, ['-batch', '-'])).toEqual(['ip', ['-batch', '-']]);
    expect(netnsArgument({ kind: 'host' }, null, 4242)).toBe('/proc/4242/ns/net');
  });

  it('runs host operations in the named node namespace in simulation', () => {
    const ns = resolveNs({ kind: 'host' }, 'node-1');
    expect(iprouteCommand('tc', ns, ['qdisc', 'show'])).toEqual(['tc', ['-n', 'node-1', 'qdisc', 'show']]);
    expect(nsCommand('sysctl', ns, ['-n', 'x'])).toEqual(['nsenter', ['--net=/run/netns/node-1', 'sysctl', '-n', 'x']]);
  });

  it('uses -n for sandboxes under /var/run/netns and nsenter for other paths', () => {
    expect(iprouteCommand('ip', resolveNs({ kind: 'pod', netns: '/var/run/netns/cni-1' }, null), ['x'])).toEqual([
      'ip',
      ['-n', 'cni-1', 'x'],
    ]);
    expect(iprouteCommand('ip', resolveNs({ kind: 'pod', netns: '/proc/77/ns/net' }, null), ['x'])).toEqual([
      'nsenter',
      ['--net=/proc/77/ns/net', 'ip', 'x'],
    ]);
    expect(netnsArgument({ kind: 'pod', netns: '/proc/77/ns/net' }, 'node-1', 1)).toBe('/proc/77/ns/net');
  });
});
