// Instance limits and what they allow per network mode (DESIGN.md §2, §6).
import { invalidArgument } from './errors.js';
import { type InstanceLimits, type NetworkMode } from './events.js';

/** The DescribeInstanceTypes fields the ledger needs. */
export interface InstanceTypeFacts {
  eniQuantity: number;
  eniPrivateIpAddressQuantity: number;
  eniIpv6AddressQuantity: number;
  eniTotalQuantity: number;
  eniTrunkSupported: boolean;
}

function count(field: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw invalidArgument(field, `expected an integer >= ${min}, got ${value}`);
  }
  return value;
}

export function limitsFromInstanceType(facts: InstanceTypeFacts): InstanceLimits {
  const adapters = count('eniQuantity', facts.eniQuantity, 1);
  const ipv4PerAdapter = count('eniPrivateIpAddressQuantity', facts.eniPrivateIpAddressQuantity, 1);
  const ipv6PerAdapter = count('eniIpv6AddressQuantity', facts.eniIpv6AddressQuantity, 0);
  // Some types report no total; they hold no more than their plain ENIs then.
  const totalAdapters = Math.max(adapters, count('eniTotalQuantity', facts.eniTotalQuantity, 0));
  const trunkSupported = facts.eniTrunkSupported;
  const memberAdapters = trunkSupported ? totalAdapters - adapters : 0;
  return { adapters, ipv4PerAdapter, ipv6PerAdapter, totalAdapters, memberAdapters, trunkSupported };
}

/**
 * How many pod ENIs the node may hold: every adapter but the instance's primary ENI for shared and
 * exclusive ENIs, the member ENIs for trunking. VPC mode uses no ENI for pods.
 */
export function podEniSlots(mode: NetworkMode, limits: InstanceLimits): number {
  switch (mode) {
    case 'eniip':
    case 'eni':
      return Math.max(0, limits.adapters - 1);
    case 'trunk':
      return limits.memberAdapters;
    case 'vpc':
      return 0;
  }
}

/** Pod addresses one pod ENI carries, its primary address included. */
export function podIpsPerEni(mode: NetworkMode, limits: InstanceLimits): number {
  switch (mode) {
    case 'eniip':
      return limits.ipv4PerAdapter;
    case 'eni':
    case 'trunk':
      return 1;
    case 'vpc':
      return 0;
  }
}

/**
 * Pods the node can network at once: eniip (adapters − 1) × ipv4PerAdapter, eni adapters − 1,
 * trunk totalAdapters − adapters; vpc the size of the node's pod CIDR block (256 for a /24 unless told).
 */
export function maxPods(mode: NetworkMode, limits: InstanceLimits, vpcBlockSize = 256): number {
  return mode === 'vpc' ? vpcBlockSize : podEniSlots(mode, limits) * podIpsPerEni(mode, limits);
}
