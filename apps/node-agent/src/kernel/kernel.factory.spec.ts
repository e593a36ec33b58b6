import { ConfigError } from '@ipledger/config';
import { describe, expect, it } from 'vitest';
import { IprouteKernelAdapter } from './iproute-kernel.adapter.js';
import { parseKernelChoice, selectKernel, type KernelLog } from './kernel.factory.js';
import { type KernelPort } from './kernel.port.js';

function recordingLog(): KernelLog & { lines: [string, string, Record<string, unknown> | undefined][] } {
  const lines: [string, string, Record<string, unknown> | undefined][] = [];
  return {
    lines,
    info: (message, fields) => lines.push(['info', message, fields]),
    warn: (message, fields) => lines.push(['warn', message, fields]),
  };
}

const fakeNetlink = { hostNetns: 'node-1' } as KernelPort;
const working = (): KernelPort => fakeNetlink;
const broken = (): KernelPort => {
  throw new Error('cannot load koffi');
};

describe('parseKernelChoice', () => {
  it('reads unset and empty as auto, and the two names as themselves', () => {
    expect(parseKernelChoice(undefined)).toBe('auto');
    expect(parseKernelChoice(' ')).toBe('auto');
    expect(parseKernelChoice('netlink')).toBe('netlink');
    expect(parseKernelChoice('iproute')).toBe('iproute');
  });

  it('names the variable when the value is neither', () => {
    expect(() => parseKernelChoice('ip')).toThrow(ConfigError);
    expect(() => parseKernelChoice('ip')).toThrow('IPLEDGER_KERNEL: must be "netlink" or "iproute", got "ip"');
  });
});

describe('selectKernel', () => {
  it('takes netlink when it opens', () => {
    const log = recordingLog();
    expect(selectKernel('node-1', 'auto', log, working)).toEqual({ kernel: fakeNetlink, implementation: 'netlink' });
    expect(log.lines).toEqual([['info', 'kernel writes', { implementation: 'netlink' }]]);
  });

  it('falls back to iproute2 with a warning when netlink does not open', () => {
    const log = recordingLog();
    const selected = selectKernel('node-1', 'auto', log, broken);
    expect(selected.implementation).toBe('iproute');
    expect(selected.kernel).toBeInstanceOf(IprouteKernelAdapter);
    expect(selected.kernel.hostNetns).toBe('node-1');
    expect(log.lines).toEqual([
      ['warn', 'netlink unavailable; kernel writes fall back to ip -batch processes', { error: 'cannot load koffi' }],
    ]);
  });

  it('fails instead of falling back when netlink is forced', () => {
    expect(() => selectKernel(null, 'netlink', recordingLog(), broken)).toThrow('cannot load koffi');
  });

  it('never tries netlink when iproute2 is forced', () => {
    const selected = selectKernel(null, 'iproute', recordingLog(), broken);
    expect(selected.implementation).toBe('iproute');
    expect(selected.kernel).toBeInstanceOf(IprouteKernelAdapter);
  });
});
