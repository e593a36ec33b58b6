import type { InstanceTypeSpec } from '../catalog/instance-type-catalog.js';
import type { CidrAllocator } from '../net/cidr-allocator.js';

export type SimEniStatus = 'Available' | 'Attaching' | 'InUse' | 'Detaching';
export type SimEniType = 'Primary' | 'Secondary' | 'Trunk' | 'Member';

export interface SimVSwitch {
  id: string;
  name: string;
  vpcId: string;
  zoneId: string;
  allocator: CidrAllocator;
  /** Set by fault injection: every allocation from this vSwitch answers InvalidVSwitchId.IpNotEnough. */
  exhausted: boolean;
  creationTime: string;
}

export interface SimEni {
  id: string;
  /** Order of creation, for stable listing and paging tokens. */
  seq: number;
  mac: string;
  vswitchId: string;
  zoneId: string;
  vpcId: string;
  type: SimEniType;
  status: SimEniStatus;
  instanceId: string | null;
  deviceIndex: number | null;
  trunkEniId: string | null;
  primaryIp: string;
  secondaryIps: string[];
  securityGroupIds: string[];
  tags: Map<string, string>;
  name: string;
  description: string;
  creationTime: string;
}

export interface SimInstance {
  id: string;
  type: InstanceTypeSpec;
  zoneId: string;
  vswitchId: string;
  netns: string | null;
  primaryEniId: string;
  creationTime: string;
}

export function eniIps(eni: SimEni): string[] {
  return [eni.primaryIp, ...eni.secondaryIps];
}
