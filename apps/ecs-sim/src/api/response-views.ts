import { type InstanceTypeSpec } from '../catalog/instance-type-catalog.js';
import { formatIpv4 } from '../net/ipv4.js';
import { eniIps, type SimEni, type SimVSwitch } from '../sim/sim-model.js';

// Response fragments in the cloud's PascalCase JSON shape; the SDK maps them to its camelCase models.

export function eniView(eni: SimEni): Record<string, unknown> {
  return {
    NetworkInterfaceId: eni.id,
    NetworkInterfaceName: eni.name,
    Description: eni.description,
    Status: eni.status,
    Type: eni.type,
    VpcId: eni.vpcId,
    VSwitchId: eni.vswitchId,
    ZoneId: eni.zoneId,
    MacAddress: eni.mac,
    PrivateIpAddress: eni.primaryIp,
    InstanceId: eni.instanceId ?? '',
    CreationTime: eni.creationTime,
    ResourceGroupId: '',
    ServiceManaged: false,
    OwnerId: 'ecs-sim',
    SecurityGroupIds: { SecurityGroupId: [...eni.securityGroupIds] },
    PrivateIpSets: {
      PrivateIpSet: eniIps(eni).map((ip, index) => ({ PrivateIpAddress: ip, Primary: index === 0 })),
    },
    Ipv6Sets: { Ipv6Set: [] },
    Tags: { Tag: [...eni.tags].map(([key, value]) => ({ TagKey: key, TagValue: value })) },
    Attachment:
      eni.instanceId === null
        ? {}
        : { InstanceId: eni.instanceId, DeviceIndex: eni.deviceIndex, TrunkNetworkInterfaceId: eni.trunkEniId ?? '' },
  };
}

export function instanceTypeView(spec: InstanceTypeSpec): Record<string, unknown> {
  return {
    InstanceTypeId: spec.instanceTypeId,
    InstanceTypeFamily: spec.instanceTypeFamily,
    CpuCoreCount: spec.cpuCoreCount,
    MemorySize: spec.memorySizeGiB,
    EniQuantity: spec.eniQuantity,
    EniPrivateIpAddressQuantity: spec.eniPrivateIpAddressQuantity,
    EniIpv6AddressQuantity: spec.eniIpv6AddressQuantity,
    EniTotalQuantity: spec.eniTotalQuantity,
    EniTrunkSupported: spec.eniTrunkSupported,
  };
}

export function vswitchView(vswitch: SimVSwitch): Record<string, unknown> {
  return {
    VSwitchId: vswitch.id,
    VSwitchName: vswitch.name,
    VpcId: vswitch.vpcId,
    ZoneId: vswitch.zoneId,
    CidrBlock: vswitch.allocator.cidr.text,
    AvailableIpAddressCount: vswitch.exhausted ? 0 : vswitch.allocator.available,
    Status: 'Available',
    IsDefault: false,
    Description: '',
    ResourceGroupId: '',
    CreationTime: vswitch.creationTime,
  };
}

export function gatewayOf(vswitch: SimVSwitch): string {
  return formatIpv4(vswitch.allocator.gateway);
}
