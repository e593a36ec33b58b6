// What the ledger knows about one node (stream `node-<name>`): folded from its events, never stored as truth.
import {
  type CloudCallFailed,
  type InstanceLimits,
  type NetworkMode,
  type OwnerRef,
  type PodRef,
  type VSwitchRef,
} from '../events.js';

export interface NodeInfo {
  node: string;
  instanceId: string;
  instanceType: string;
  zone: string;
  mode: NetworkMode;
  limits: InstanceLimits;
  maxPods: number;
  registeredAt: string;
}

/**
 * Named after the cloud's own ENI states (Available → Attaching → InUse → Detaching), plus `detached`
 * (back to Available on its way to deletion, so it is no capacity in flight) and `deleted`.
 */
export type NodeEniStatus = 'available' | 'attaching' | 'in-use' | 'detaching' | 'detached' | 'deleted';

export interface EniState {
  eniId: string;
  mac: string;
  vswitch: VSwitchRef;
  primaryIp: string;
  securityGroupIds: string[];
  trunk: boolean;
  clientToken: string;
  status: NodeEniStatus;
  deviceIndex: number | null;
  createdAt: string;
}

/** An ENI the allocator asked the cloud to create, keyed by the client token that makes retries idempotent. */
export interface PendingEniCreation {
  clientToken: string;
  vswitch: VSwitchRef;
  securityGroupIds: string[];
  requestedAt: string;
}

/**
 * idle: free to hand out (when its ENI is in use); allocated: a pod holds it; releasing: release requested,
 * teardown pending (still held); cooling: released, resting until `cooldownUntil`; unassigning: being given
 * back to the cloud.
 */
export type IpStatus = 'idle' | 'allocated' | 'releasing' | 'cooling' | 'unassigning';

export interface IpAllocation {
  pod: PodRef;
  containerId: string;
  owner: OwnerRef | null;
  idempotencyKey: string;
  at: string;
}

export interface IpState {
  ip: string;
  eniId: string;
  /** The ENI's primary address: a pod address like the others, but it leaves only with its ENI. */
  primary: boolean;
  status: IpStatus;
  /** When the current status began; for idle IPs, how long they have rested. */
  since: string;
  /** `since` in milliseconds since the epoch, read once when the event is folded (deciders compare it often). */
  sinceMs: number;
  allocation: IpAllocation | null;
  releaseReason: string | null;
  teardownConfirmedAt: string | null;
  cooldownUntil: string | null;
  /** `cooldownUntil` in milliseconds since the epoch. */
  cooldownUntilMs: number | null;
}

export interface NodeState {
  info: NodeInfo | null;
  enis: Readonly<Record<string, EniState>>;
  pendingEnis: Readonly<Record<string, PendingEniCreation>>;
  /**
   * Every address by its IP. A Map rather than a record: the hot path reads all of them and a fold copies them,
   * and for string keys like these both are several times faster on a Map.
   */
  ips: ReadonlyMap<string, IpState>;
  /** `podKey(uid, containerId)` → the IP that container holds (allocated or releasing). */
  pods: ReadonlyMap<string, string>;
  lastCloudFailure: CloudCallFailed['data'] | null;
  /**
   * When a pod last took or gave up an address on the node (allocation, release requested, teardown
   * confirmed, released), in epoch ms; null before the first. Idle-IP reclaim waits for the pool to be quiet
   * this long; being folded from events, every replica and every restart agrees on it.
   */
  lastPodActivityMs: number | null;
}

export const initialNodeState = (): NodeState => ({
  info: null,
  enis: {},
  pendingEnis: {},
  ips: new Map(),
  pods: new Map(),
  lastCloudFailure: null,
  lastPodActivityMs: null,
});

export const podKey = (podUid: string, containerId: string): string => `${podUid}/${containerId}`;

/** ENIs that are, or will be, attached to the instance for pods: everything not on its way out. */
export const isLiveEni = (eni: EniState): boolean =>
  eni.status === 'available' || eni.status === 'attaching' || eni.status === 'in-use';
