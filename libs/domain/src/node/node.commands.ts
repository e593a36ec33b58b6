// What may be asked of a node's ledger. `now` is an RFC 3339 instant supplied by the caller; ids and client
// tokens come from the caller too, so deciding stays pure and replayable.
import { type InstanceLimits, type NetworkMode, type OwnerRef, type PodRef, type VSwitchRef } from '../events.js';

// ------------------------------------------------------------ pods

export interface RegisterNode {
  type: 'RegisterNode';
  node: string;
  instanceId: string;
  instanceType: string;
  zone: string;
  mode: NetworkMode;
  limits: InstanceLimits;
  now: string;
}

export interface AllocateIp {
  type: 'AllocateIp';
  pod: PodRef;
  containerId: string;
  owner: OwnerRef | null;
  idempotencyKey: string;
  now: string;
}

/** The allocator wants the pod's network torn down (e.g. the pod is gone); the IP stays held until confirmed. */
export interface RequestRelease {
  type: 'RequestRelease';
  podUid: string;
  containerId: string;
  reason: string;
  now: string;
}

/** The node tore the pod's network down (the ReleaseIp RPC): the IP is released into its cooldown. */
export interface ReleaseIp {
  type: 'ReleaseIp';
  podUid: string;
  containerId: string;
  reason: string;
  cooldownSeconds: number;
  now: string;
}

/** The cooldown sweeper: every cooling IP whose cooldown is over at `now` becomes idle. */
export interface EndCooldowns {
  type: 'EndCooldowns';
  now: string;
}

// ------------------------------------------------------------ cloud saga steps (record what was asked / done)

export interface RequestEniCreate {
  type: 'RequestEniCreate';
  clientToken: string;
  vswitch: VSwitchRef;
  securityGroupIds: string[];
  now: string;
}

export interface RecordEniCreated {
  type: 'RecordEniCreated';
  clientToken: string;
  eniId: string;
  mac: string;
  vswitch: VSwitchRef;
  primaryIp: string;
  securityGroupIds: string[];
  trunk: boolean;
  now: string;
}

export interface RecordEniCreateFailed {
  type: 'RecordEniCreateFailed';
  clientToken: string;
  vswitchId: string;
  code: string;
  message: string;
  now: string;
}

export interface RequestEniAttach {
  type: 'RequestEniAttach';
  eniId: string;
  now: string;
}

export interface RecordEniAttached {
  type: 'RecordEniAttached';
  eniId: string;
  mac: string;
  deviceIndex: number;
  now: string;
}

export interface RecordIpsAssigned {
  type: 'RecordIpsAssigned';
  eniId: string;
  ips: string[];
  now: string;
}

export interface RequestIpsUnassign {
  type: 'RequestIpsUnassign';
  eniId: string;
  ips: string[];
  now: string;
}

export interface RecordIpsUnassigned {
  type: 'RecordIpsUnassigned';
  eniId: string;
  ips: string[];
  now: string;
}

export interface RequestEniDetach {
  type: 'RequestEniDetach';
  eniId: string;
  now: string;
}

export interface RecordEniDetached {
  type: 'RecordEniDetached';
  eniId: string;
  now: string;
}

export interface RecordEniDeleted {
  type: 'RecordEniDeleted';
  eniId: string;
  now: string;
}

export interface RecordCloudCallFailed {
  type: 'RecordCloudCallFailed';
  api: string;
  code: string;
  message: string;
  retryable: boolean;
  requestId: string | null;
  eniId: string | null;
  vswitchId: string | null;
  now: string;
}

export type NodePodCommand = RegisterNode | AllocateIp | RequestRelease | ReleaseIp | EndCooldowns;

export type NodeCloudCommand =
  | RequestEniCreate
  | RecordEniCreated
  | RecordEniCreateFailed
  | RequestEniAttach
  | RecordEniAttached
  | RecordIpsAssigned
  | RequestIpsUnassign
  | RecordIpsUnassigned
  | RequestEniDetach
  | RecordEniDetached
  | RecordEniDeleted
  | RecordCloudCallFailed;

export type NodeCommand = NodePodCommand | NodeCloudCommand;
