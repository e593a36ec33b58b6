import { describe, expect, it } from 'vitest';
import { keyOfDevice, podNames } from './pod-naming.js';

describe('podNames', () => {
  it('derives short, stable, distinct names and MACs from the container id', () => {
    const a = podNames('3f1c0a9e7b6d');
    expect(a).toEqual(podNames('3f1c0a9e7b6d'));
    expect(a.hostVeth).toMatch(/^ipl[0-9a-f]{11}$/);
    expect(a.ifb).toBe(`ipb${a.key}`);
    expect(a.hostVeth.length).toBeLessThanOrEqual(15);
    expect(a.hostMac).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(a.podMac).not.toBe(a.hostMac);
    expect(podNames('3f1c0a9e7b6e').key).not.toBe(a.key);
  });

  it('recognises its own devices and nothing else', () => {
    const { key, hostVeth, ifb } = podNames('c1');
    expect(keyOfDevice(hostVeth)).toBe(key);
    expect(keyOfDevice(ifb)).toBe(key);
    expect(keyOfDevice('eth0')).toBeNull();
    expect(keyOfDevice('iplxyz')).toBeNull();
  });
});
