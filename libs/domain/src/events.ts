// The ledger's vocabulary. Every fact ipledger records is one of these events: past tense, plain JSON data,
// carrying everything a reader needs without looking anything else up. Times are RFC 3339 strings in UTC.
// Streams (consistency boundaries, DESIGN.md §3): `node-<name>`, `vswitch-<id>`, `cluster`.

export type NetworkMode = 'eniip' | 'eni' | 'trunk' | 'vpc';

export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
}

export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
}

/** Per instance type, from DescribeInstanceTypes. */
export interface InstanceLimits {
  /** EniQuantity: ENIs an instance can hold, the primary ENI included. */
  adapters: number;
  /** EniPrivateIpAddressQuantity: private IPv4 addresses per ENI, the ENI's primary address included. */
  ipv4PerAdapter: number;
  /** EniIpv6AddressQuantity. */
  ipv6PerAdapter: number;
  /** EniTotalQuantity: ENIs including trunk member ENIs. */
  totalAdapters: number;
  /** totalAdapters − adapters when the type supports trunking, else 0. */
  memberAdapters: number;
  trunkSupported: boolean;
}

/** A vSwitch as the ledger knows it. */
export interface VSwitchRef {
  id: string;
  zone: string;
  cidr: string;
  gateway: string;
}

// ---------------------------------------------------------------- node-<name>

export interface NodeRegistered {
  type: 'NodeRegistered';
  data: {
    node: string;
    instanceId: string;
    instanceType: string;
    zone: string;
    mode: NetworkMode;
    limits: InstanceLimits;
    maxPods: number;
    at: string;
  };
}

/** The allocator decided to create an ENI; the token makes the cloud call idempotent across retries and crashes. */
export interface EniCreateRequested {
  type: 'EniCreateRequested';
  data: { node: string; clientToken: string; vswitch: VSwitchRef; securityGroupIds: string[]; at: string };
}

export interface EniCreated {
  type: 'EniCreated';
  data: {
    node: string;
    eniId: string;
    mac: string;
    vswitch: VSwitchRef;
    /** The ENI's primary private IP; on a shared ENI it is a pod address like the secondary ones. */
    primaryIp: string;
    securityGroupIds: string[];
    clientToken: string;
    trunk: boolean;
    at: string;
  };
}

/** The ENI creation failed for good (e.g. vSwitch out of addresses); the request is closed. */
export interface EniCreateFailed {
  type: 'EniCreateFailed';
  data: { node: string; clientToken: string; vswitchId: string; code: string; message: string; at: string };
}

export interface EniAttachRequested {
  type: 'EniAttachRequested';
  data: { node: string; eniId: string; instanceId: string; at: string };
}

export interface EniAttached {
  type: 'EniAttached';
  data: { node: string; eniId: string; instanceId: string; mac: string; deviceIndex: number; at: string };
}

/** Secondary private IPs now belong to the ENI (AssignPrivateIpAddresses succeeded). They are idle. */
export interface IpsAssigned {
  type: 'IpsAssigned';
  data: { node: string; eniId: string; ips: string[]; at: string };
}

/** A pod now holds the IP. Reserved exclusively until released. */
export interface IpAllocated {
  type: 'IpAllocated';
  data: {
    node: string;
    ip: string;
    eniId: string;
    pod: PodRef;
    containerId: string;
    owner: OwnerRef | null;
    idempotencyKey: string;
    at: string;
  };
}

/** The allocator asked the node to tear the pod's network down (e.g. its pod is gone); the IP stays held. */
export interface IpReleaseRequested {
  type: 'IpReleaseRequested';
  data: { node: string; ip: string; pod: PodRef; containerId: string; reason: string; at: string };
}

/** The node reported that nothing on it uses the IP any more. */
export interface PodTeardownConfirmed {
  type: 'PodTeardownConfirmed';
  data: { node: string; ip: string; pod: PodRef; containerId: string; at: string };
}

/** The pod no longer holds the IP; it cools down until `cooldownUntil` before anyone may get it again. */
export interface IpReleased {
  type: 'IpReleased';
  data: {
    node: string;
    ip: string;
    eniId: string;
    pod: PodRef;
    containerId: string;
    reason: string;
    cooldownUntil: string;
    at: string;
  };
}

/** The cooldown passed: the IP is idle and may be handed out again. */
export interface IpCooldownEnded {
  type: 'IpCooldownEnded';
  data: { node: string; ip: string; at: string };
}

/** Idle IPs are being given back to the cloud; they can no longer be allocated. */
export interface IpsUnassignRequested {
  type: 'IpsUnassignRequested';
  data: { node: string; eniId: string; ips: string[]; at: string };
}

export interface IpsUnassigned {
  type: 'IpsUnassigned';
  data: { node: string; eniId: string; ips: string[]; at: string };
}

export interface EniDetachRequested {
  type: 'EniDetachRequested';
  data: { node: string; eniId: string; at: string };
}

export interface EniDetached {
  type: 'EniDetached';
  data: { node: string; eniId: string; at: string };
}

export interface EniDeleted {
  type: 'EniDeleted';
  data: { node: string; eniId: string; at: string };
}

/** A cloud call failed. `retryable` failures (throttling, conflicts, internal errors) are retried with backoff. */
export interface CloudCallFailed {
  type: 'CloudCallFailed';
  data: {
    node: string;
    api: string;
    code: string;
    message: string;
    retryable: boolean;
    requestId: string | null;
    eniId: string | null;
    vswitchId: string | null;
    at: string;
  };
}

export type NodeEvent =
  | NodeRegistered
  | EniCreateRequested
  | EniCreated
  | EniCreateFailed
  | EniAttachRequested
  | EniAttached
  | IpsAssigned
  | IpAllocated
  | IpReleaseRequested
  | PodTeardownConfirmed
  | IpReleased
  | IpCooldownEnded
  | IpsUnassignRequested
  | IpsUnassigned
  | EniDetachRequested
  | EniDetached
  | EniDeleted
  | CloudCallFailed;

// ---------------------------------------------------------------- vswitch-<id>

/** The cloud said the vSwitch has no free address (InvalidVSwitchId.IpNotEnough); skip it until `until`. */
export interface VSwitchBlocked {
  type: 'VSwitchBlocked';
  data: { vswitchId: string; zone: string; reason: string; until: string; at: string };
}

/** Free addresses seen in DescribeVSwitches. */
export interface VSwitchCapacityObserved {
  type: 'VSwitchCapacityObserved';
  data: { vswitchId: string; zone: string; cidr: string; availableIpCount: number; at: string };
}

export type VSwitchEvent = VSwitchBlocked | VSwitchCapacityObserved;

// ---------------------------------------------------------------- cluster

/** An eni-config version took effect; pools and vSwitch choice follow it from now on. */
export interface ConfigApplied {
  type: 'ConfigApplied';
  data: { version: number; sha256: string; config: Record<string, unknown>; at: string };
}

export type ClusterEvent = ConfigApplied;

export type LedgerEvent = NodeEvent | VSwitchEvent | ClusterEvent;
export type LedgerEventType = LedgerEvent['type'];

export const nodeStream = (node: string): string => `node-${node}`;
export const vswitchStream = (vswitchId: string): string => `vswitch-${vswitchId}`;
export const CLUSTER_STREAM = 'cluster';

/** Every event type the ledger records, e.g. for readers that must tell a known event from a newer one. */
export const LEDGER_EVENT_TYPES = [
  'NodeRegistered',
  'EniCreateRequested',
  'EniCreated',
  'EniCreateFailed',
  'EniAttachRequested',
  'EniAttached',
  'IpsAssigned',
  'IpAllocated',
  'IpReleaseRequested',
  'PodTeardownConfirmed',
  'IpReleased',
  'IpCooldownEnded',
  'IpsUnassignRequested',
  'IpsUnassigned',
  'EniDetachRequested',
  'EniDetached',
  'EniDeleted',
  'CloudCallFailed',
  'VSwitchBlocked',
  'VSwitchCapacityObserved',
  'ConfigApplied',
] as const satisfies readonly LedgerEventType[];

// Fails to compile when an event type is added to the unions above but not to the list.
type UnlistedEventType = Exclude<LedgerEventType, (typeof LEDGER_EVENT_TYPES)[number]>;
const _everyTypeListed: [UnlistedEventType] extends [never] ? true : UnlistedEventType = true;

const LEDGER_EVENT_TYPE_SET: ReadonlySet<string> = new Set(LEDGER_EVENT_TYPES);

export function isLedgerEventType(type: string): type is LedgerEventType {
  return LEDGER_EVENT_TYPE_SET.has(type);
}
