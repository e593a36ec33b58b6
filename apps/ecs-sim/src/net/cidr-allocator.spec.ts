import { describe, expect, it } from 'vitest';
import { CidrAllocator } from './cidr-allocator.js';
import { formatIpv4, parseIpv4 } from './ipv4.js';

const ip = (text: string) => parseIpv4(text)!;

describe('CidrAllocator', () => {
  it('reserves the first address and the last three, and puts the gateway at .253 of a /24', () => {
    const pool = new CidrAllocator('192.168.1.0/24');
    expect(pool.capacity).toBe(252);
    expect(formatIpv4(pool.gateway)).toBe('192.168.1.253');
    for (const reserved of ['192.168.1.0', '192.168.1.253', '192.168.1.254', '192.168.1.255']) {
      expect(pool.isReserved(ip(reserved))).toBe(true);
      expect(pool.claim(ip(reserved))).toBe('reserved');
    }
    expect(pool.isReserved(ip('192.168.1.1'))).toBe(false);
    expect(pool.isReserved(ip('192.168.1.252'))).toBe(false);
  });

  it('puts the gateway three below the end of larger blocks too', () => {
    expect(formatIpv4(new CidrAllocator('172.24.0.0/18').gateway)).toBe('172.24.63.253');
  });

  it('hands out every usable address of a /28 exactly once, then nothing', () => {
    const pool = new CidrAllocator('10.0.255.240/28');
    const handed: string[] = [];
    for (let ip = pool.allocate(); ip !== null; ip = pool.allocate()) {
      handed.push(formatIpv4(ip));
    }
    expect(handed).toEqual(Array.from({ length: 12 }, (_, i) => `10.0.255.${241 + i}`));
    expect(pool.available).toBe(0);
  });

  it('continues after the last address handed out, so a released one is not reused at once', () => {
    const pool = new CidrAllocator('10.0.0.0/29');
    const first = pool.allocate()!;
    const second = pool.allocate()!;
    pool.release(first);
    expect(formatIpv4(pool.allocate()!)).toBe('10.0.0.3');
    expect(formatIpv4(pool.allocate()!)).toBe('10.0.0.4');
    expect(pool.allocate()).toBe(first);
    expect(pool.isUsed(second)).toBe(true);
  });

  it('allocates many all or nothing', () => {
    const pool = new CidrAllocator('10.0.0.0/29');
    expect(pool.allocateMany(5)).toBeNull();
    expect(pool.available).toBe(4);
    expect(pool.allocateMany(4)).toHaveLength(4);
    expect(pool.available).toBe(0);
  });

  it('claims a chosen address once and refuses addresses of other blocks', () => {
    const pool = new CidrAllocator('10.0.1.0/24');
    expect(pool.claim(ip('10.0.1.77'))).toBe('ok');
    expect(pool.claim(ip('10.0.1.77'))).toBe('taken');
    expect(pool.claim(ip('10.0.2.1'))).toBe('outside');
    expect(pool.release(ip('10.0.1.77'))).toBe(true);
    expect(pool.claim(ip('10.0.1.77'))).toBe('ok');
  });

  it('rejects malformed or too small blocks', () => {
    expect(() => new CidrAllocator('10.0.1.1/24')).toThrow(/host bits/);
    expect(() => new CidrAllocator('10.0.1.0/30')).toThrow(/smaller than a \/29/);
    expect(() => new CidrAllocator('10.0.1.0')).toThrow(/not an IPv4 CIDR/);
  });
});
