import { formatIpv4 } from '../net/ipv4.js';
import {
  eniIps,
  type SimEni,
  type SimEniStatus,
  type SimEniType,
  type SimInstance,
  type SimVSwitch,
} from '../sim/sim-model.js';
import { type SimWorld } from '../sim/sim-world.js';

export interface VSwitchState {
  vswitchId: string;
  zoneId: string;
  vpcId: string;
  cidr: string;
  gateway: string;
  /** Addresses that can ever be handed out (the CIDR minus the first and the last three). */
  capacity: number;
  available: number;
  exhausted: boolean;
}

export interface InstanceState {
  instanceId: string;
  instanceType: string;
  zone: string;
  vswitchId: string;
  netns: string | null;
  primaryEniId: string;
  primaryIp: string;
  /** All ENIs attached or attaching, the primary included. */
  eniIds: string[];
}

export interface EniState {
  eniId: string;
  status: SimEniStatus;
  type: SimEniType;
  vswitchId: string;
  zoneId: string;
  instanceId: string | null;
  deviceIndex: number | null;
  trunkEniId: string | null;
  mac: string;
  primaryIp: string;
  /** Primary first. */
  privateIps: string[];
  securityGroupIds: string[];
  tags: Record<string, string>;
  creationTime: string;
}

export interface SimStateSnapshot {
  regionId: string;
  vpc: { vpcId: string; cidr: string };
  vswitches: VSwitchState[];
  instances: InstanceState[];
  enis: EniState[];
  /** Attach/detach transitions not yet completed. */
  pendingTransitions: number;
}

export function vswitchState(vswitch: SimVSwitch): VSwitchState {
  const { allocator } = vswitch;
  return {
    vswitchId: vswitch.id,
    zoneId: vswitch.zoneId,
    vpcId: vswitch.vpcId,
    cidr: allocator.cidr.text,
    gateway: formatIpv4(allocator.gateway),
    capacity: allocator.capacity,
    available: vswitch.exhausted ? 0 : allocator.available,
    exhausted: vswitch.exhausted,
  };
}

export function instanceState(world: SimWorld, instance: SimInstance): InstanceState {
  const primary = world.enis.get(instance.primaryEniId);
  return {
    instanceId: instance.id,
    instanceType: instance.type.instanceTypeId,
    zone: instance.zoneId,
    vswitchId: instance.vswitchId,
    netns: instance.netns,
    primaryEniId: instance.primaryEniId,
    primaryIp: primary?.primaryIp ?? '',
    eniIds: [...world.enis.values()].filter((e) => e.instanceId === instance.id).map((e) => e.id),
  };
}

export function eniState(eni: SimEni): EniState {
  return {
    eniId: eni.id,
    status: eni.status,
    type: eni.type,
    vswitchId: eni.vswitchId,
    zoneId: eni.zoneId,
    instanceId: eni.instanceId,
    deviceIndex: eni.deviceIndex,
    trunkEniId: eni.trunkEniId,
    mac: eni.mac,
    primaryIp: eni.primaryIp,
    privateIps: eniIps(eni),
    securityGroupIds: [...eni.securityGroupIds],
    tags: Object.fromEntries(eni.tags),
    creationTime: eni.creationTime,
  };
}

export function snapshot(world: SimWorld, pendingTransitions: number): SimStateSnapshot {
  return {
    regionId: world.regionId,
    vpc: { vpcId: world.vpcId, cidr: world.vpcCidrText },
    vswitches: [...world.vswitches.values()].map(vswitchState),
    instances: [...world.instances.values()].map((i) => instanceState(world, i)),
    enis: [...world.enis.values()].map(eniState),
    pendingTransitions,
  };
}
