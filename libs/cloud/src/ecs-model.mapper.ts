import { type CloudEni, type CloudVSwitch, type EniStatus, type InstanceTypeLimits } from './cloud.port.js';
import { vswitchGateway } from './vswitch-gateway.js';

// Maps the SDK's response models (camelCase, every field optional) to the port's types. Written against
// structural shapes so that the Create and the Describe models, which share these fields, both fit.

export interface SdkEniShape {
  networkInterfaceId?: string;
  macAddress?: string;
  status?: string;
  type?: string;
  vSwitchId?: string;
  vpcId?: string;
  zoneId?: string;
  privateIpAddress?: string;
  instanceId?: string;
  creationTime?: string;
  privateIpSets?: { privateIpSet?: { privateIpAddress?: string; primary?: boolean }[] };
  securityGroupIds?: { securityGroupId?: string[] };
  tags?: { tag?: { tagKey?: string; tagValue?: string }[] };
  attachment?: { deviceIndex?: number; instanceId?: string; trunkNetworkInterfaceId?: string };
}

const STATUSES: readonly EniStatus[] = ['Available', 'Attaching', 'InUse', 'Detaching', 'Deleting', 'CreateFailed'];
const TYPES: readonly CloudEni['type'][] = ['Primary', 'Secondary', 'Trunk', 'Member'];

export function toCloudEni(eni: SdkEniShape): CloudEni {
  const sets = eni.privateIpSets?.privateIpSet ?? [];
  const primaryIp = eni.privateIpAddress ?? sets.find((s) => s.primary)?.privateIpAddress ?? '';
  const secondary = sets.map((s) => s.privateIpAddress ?? '').filter((ip) => ip !== '' && ip !== primaryIp);
  const instanceId = nonEmpty(eni.instanceId) ?? nonEmpty(eni.attachment?.instanceId);
  return {
    id: eni.networkInterfaceId ?? '',
    mac: eni.macAddress ?? '',
    status: STATUSES.find((s) => s === eni.status) ?? 'CreateFailed',
    vswitchId: eni.vSwitchId ?? '',
    zone: eni.zoneId ?? '',
    primaryIp,
    privateIps: primaryIp === '' ? secondary : [primaryIp, ...secondary],
    instanceId,
    deviceIndex:
      instanceId !== null && typeof eni.attachment?.deviceIndex === 'number' ? eni.attachment.deviceIndex : null,
    type: TYPES.find((t) => t === eni.type) ?? 'Secondary',
    tags: Object.fromEntries((eni.tags?.tag ?? []).map((t) => [t.tagKey ?? '', t.tagValue ?? ''])),
    securityGroupIds: eni.securityGroupIds?.securityGroupId ?? [],
    creationTime: nonEmpty(eni.creationTime),
    vpcId: eni.vpcId,
    trunkEniId: nonEmpty(eni.attachment?.trunkNetworkInterfaceId),
  };
}

export interface SdkInstanceTypeShape {
  instanceTypeId?: string;
  eniQuantity?: number;
  eniPrivateIpAddressQuantity?: number;
  eniIpv6AddressQuantity?: number;
  eniTotalQuantity?: number;
  eniTrunkSupported?: boolean;
}

export function toInstanceTypeLimits(type: SdkInstanceTypeShape): InstanceTypeLimits {
  const eniQuantity = type.eniQuantity ?? 0;
  return {
    instanceType: type.instanceTypeId ?? '',
    eniQuantity,
    eniPrivateIpAddressQuantity: type.eniPrivateIpAddressQuantity ?? 0,
    eniIpv6AddressQuantity: type.eniIpv6AddressQuantity ?? 0,
    // Types without trunk support may report no total; they have exactly their ENIs then.
    eniTotalQuantity: type.eniTotalQuantity ?? eniQuantity,
    eniTrunkSupported: type.eniTrunkSupported ?? false,
  };
}

export interface SdkVSwitchShape {
  vSwitchId?: string;
  zoneId?: string;
  cidrBlock?: string;
  availableIpAddressCount?: number;
  vpcId?: string;
}

export function toCloudVSwitch(vswitch: SdkVSwitchShape): CloudVSwitch {
  const cidr = vswitch.cidrBlock ?? '';
  return {
    id: vswitch.vSwitchId ?? '',
    zone: vswitch.zoneId ?? '',
    cidr,
    gateway: cidr === '' ? '' : vswitchGateway(cidr),
    availableIpCount: vswitch.availableIpAddressCount ?? 0,
    vpcId: vswitch.vpcId ?? '',
  };
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
