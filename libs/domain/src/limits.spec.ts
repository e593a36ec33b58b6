import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import { limitsFromInstanceType, maxPods } from './limits.js';

// ecs.g7.4xlarge as DescribeInstanceTypes reports it.
const g7x4 = {
  eniQuantity: 8,
  eniPrivateIpAddressQuantity: 30,
  eniIpv6AddressQuantity: 30,
  eniTotalQuantity: 24,
  eniTrunkSupported: true,
};

describe('limitsFromInstanceType', () => {
  it('maps the DescribeInstanceTypes fields', () => {
    expect(limitsFromInstanceType(g7x4)).toEqual({
      adapters: 8,
      ipv4PerAdapter: 30,
      ipv6PerAdapter: 30,
      totalAdapters: 24,
      memberAdapters: 16,
      trunkSupported: true,
    });
  });

  it('gives no member ENIs without trunk support', () => {
    expect(limitsFromInstanceType({ ...g7x4, eniTrunkSupported: false }).memberAdapters).toBe(0);
  });

  it('refuses nonsense counts', () => {
    expect(() => limitsFromInstanceType({ ...g7x4, eniQuantity: 0 })).toThrow(DomainError);
    expect(() => limitsFromInstanceType({ ...g7x4, eniPrivateIpAddressQuantity: 2.5 })).toThrow(DomainError);
  });
});

describe('maxPods', () => {
  const limits = limitsFromInstanceType(g7x4);

  it('follows the formula of each mode', () => {
    expect(maxPods('eniip', limits)).toBe(210);
    expect(maxPods('eni', limits)).toBe(7);
    expect(maxPods('trunk', limits)).toBe(16);
    expect(maxPods('vpc', limits, 128)).toBe(128);
  });

  it('is zero for trunking on a type that cannot trunk', () => {
    expect(maxPods('trunk', limitsFromInstanceType({ ...g7x4, eniTrunkSupported: false }))).toBe(0);
  });
});
