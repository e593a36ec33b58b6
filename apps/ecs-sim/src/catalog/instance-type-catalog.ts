// The instance types ecs-sim knows, with the ENI limits DescribeInstanceTypes reports. Sources for every figure
// are listed in docs/ecs-sim.md; where no published figure was found the value is marked "chosen" there.

export interface InstanceTypeSpec {
  instanceTypeId: string;
  instanceTypeFamily: string;
  cpuCoreCount: number;
  memorySizeGiB: number;
  /** ENIs per instance, the primary ENI included. */
  eniQuantity: number;
  /** Private IPv4 addresses per ENI, the ENI's primary address included. */
  eniPrivateIpAddressQuantity: number;
  eniIpv6AddressQuantity: number;
  /** All network interfaces, trunk member ENIs included. */
  eniTotalQuantity: number;
  eniTrunkSupported: boolean;
}

export const DEFAULT_INSTANCE_TYPES: readonly InstanceTypeSpec[] = [
  {
    instanceTypeId: 'ecs.g6.large',
    instanceTypeFamily: 'ecs.g6',
    cpuCoreCount: 2,
    memorySizeGiB: 8,
    eniQuantity: 2,
    eniPrivateIpAddressQuantity: 6,
    eniIpv6AddressQuantity: 1,
    eniTotalQuantity: 2,
    eniTrunkSupported: false,
  },
  {
    instanceTypeId: 'ecs.g7.large',
    instanceTypeFamily: 'ecs.g7',
    cpuCoreCount: 2,
    memorySizeGiB: 8,
    eniQuantity: 3,
    eniPrivateIpAddressQuantity: 6,
    eniIpv6AddressQuantity: 6,
    eniTotalQuantity: 3,
    eniTrunkSupported: false,
  },
  {
    instanceTypeId: 'ecs.g7.xlarge',
    instanceTypeFamily: 'ecs.g7',
    cpuCoreCount: 4,
    memorySizeGiB: 16,
    eniQuantity: 4,
    eniPrivateIpAddressQuantity: 15,
    eniIpv6AddressQuantity: 15,
    eniTotalQuantity: 20,
    eniTrunkSupported: true,
  },
  {
    instanceTypeId: 'ecs.g7.2xlarge',
    instanceTypeFamily: 'ecs.g7',
    cpuCoreCount: 8,
    memorySizeGiB: 32,
    eniQuantity: 4,
    eniPrivateIpAddressQuantity: 15,
    eniIpv6AddressQuantity: 15,
    eniTotalQuantity: 10,
    eniTrunkSupported: true,
  },
  {
    instanceTypeId: 'ecs.g7.4xlarge',
    instanceTypeFamily: 'ecs.g7',
    cpuCoreCount: 16,
    memorySizeGiB: 64,
    eniQuantity: 8,
    eniPrivateIpAddressQuantity: 30,
    eniIpv6AddressQuantity: 30,
    eniTotalQuantity: 40,
    eniTrunkSupported: true,
  },
  {
    instanceTypeId: 'ecs.r6.8xlarge',
    instanceTypeFamily: 'ecs.r6',
    cpuCoreCount: 32,
    memorySizeGiB: 256,
    eniQuantity: 8,
    eniPrivateIpAddressQuantity: 20,
    eniIpv6AddressQuantity: 1,
    eniTotalQuantity: 40,
    eniTrunkSupported: true,
  },
];

export class InstanceTypeCatalog {
  private readonly types = new Map<string, InstanceTypeSpec>();

  constructor(specs: readonly InstanceTypeSpec[]) {
    specs.forEach((spec) => this.types.set(spec.instanceTypeId, spec));
  }

  get(instanceTypeId: string): InstanceTypeSpec | undefined {
    return this.types.get(instanceTypeId);
  }

  all(): InstanceTypeSpec[] {
    return [...this.types.values()];
  }
}
