// What the application services answer, in the words of the allocation API, camelCased. The gRPC edge maps
// these onto the proto messages field by field (grpc/*.reply-mapper.ts).
import { type InstanceLimits, type NetworkMode, type PodRef } from '@ipledger/domain';

export interface AllocationEniView {
  id: string;
  mac: string;
  trunk: boolean;
  /** 0 unless the pod sits on a trunk member ENI. */
  vlanId: number;
}

export interface AllocationResult {
  pod: PodRef;
  node: string;
  ip: string;
  /** '' while ipledger allocates IPv4 only. */
  ipv6: string;
  prefixLength: number;
  gateway: string;
  vswitchId: string;
  vswitchCidr: string;
  eni: AllocationEniView;
  mode: NetworkMode;
  /** '' when the eni-config sets no service_cidr. */
  serviceCidr: string;
  fixed: boolean;
  containerId: string;
  /** RFC 3339. */
  allocatedAt: string;
}

export interface ReleaseResult {
  released: boolean;
  ip: string;
  /** RFC 3339: end of the reuse cooldown, or how long a fixed IP is held; '' when nothing was held. */
  heldUntil: string;
}

/** ENI status words of the API: Creating, Attaching, InUse, Detaching, Deleting. */
export interface EniView {
  id: string;
  mac: string;
  vswitchId: string;
  vswitchCidr: string;
  gateway: string;
  primaryIp: string;
  status: string;
  ips: string[];
  deviceIndex: number;
  trunk: boolean;
}

export interface PoolView {
  node: string;
  idle: number;
  allocated: number;
  cooling: number;
  releasing: number;
  enis: EniView[];
  targets: { minPoolSize: number; maxPoolSize: number };
  maxPods: number;
}

export interface NodeView {
  node: string;
  instanceId: string;
  instanceType: string;
  zone: string;
  mode: NetworkMode;
  limits: InstanceLimits;
  maxPods: number;
  enis: EniView[];
  pool: PoolView;
  /** RFC 3339. */
  registeredAt: string;
}

export interface HistoryEntryView {
  /** Global position, a decimal string. */
  position: string;
  stream: string;
  type: string;
  /** RFC 3339: when the ledger recorded it. */
  at: string;
  /** The event's data as JSON text. */
  dataJson: string;
}
