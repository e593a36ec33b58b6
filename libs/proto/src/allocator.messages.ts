// The messages of ipledger.v1.Allocator (../ipledger/v1/allocator.proto) as TypeScript sees them after
// loading with keepCase (snake_case names), longs as decimal strings and defaults filled in. Requests
// mark every field optional, as proto3 lets a sender omit any; replies carry every field, because the
// allocator always sets them and the loader fills in proto3 defaults ('' / 0 / false / []).

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

/** Network modes as the proto spells them; '' means the default, eniip. */
export type NetworkModeName = 'eniip' | 'eni' | 'trunk' | 'vpc';

export interface RegisterNodeRequest {
  node?: string;
  instance_id?: string;
  instance_type?: string;
  zone?: string;
  mode?: string;
}

export interface NodeLimits {
  adapters: number;
  ipv4_per_adapter: number;
  ipv6_per_adapter: number;
  total_adapters: number;
  member_adapters: number;
  trunk_supported: boolean;
}

export interface EniView {
  id: string;
  mac: string;
  vswitch_id: string;
  vswitch_cidr: string;
  gateway: string;
  primary_ip: string;
  /** Creating, Attaching, InUse, Detaching, Deleting */
  status: string;
  ips: string[];
  device_index: number;
  trunk: boolean;
}

export interface PoolTargets {
  min_pool_size: number;
  max_pool_size: number;
}

export interface PoolView {
  node: string;
  idle: number;
  allocated: number;
  cooling: number;
  releasing: number;
  enis: EniView[];
  targets: PoolTargets;
  max_pods: number;
}

export interface NodeView {
  node: string;
  instance_id: string;
  instance_type: string;
  zone: string;
  mode: string;
  limits: NodeLimits;
  max_pods: number;
  enis: EniView[];
  pool: PoolView;
  /** RFC 3339 */
  registered_at: string;
}

export interface AllocateIpRequest {
  node?: string;
  pod?: Partial<PodRef> | null;
  container_id?: string;
  owner?: Partial<OwnerRef> | null;
  idempotency_key?: string;
}

export interface AllocationEni {
  id: string;
  mac: string;
  trunk: boolean;
  vlan_id: number;
}

export interface Allocation {
  pod: PodRef;
  node: string;
  ip: string;
  /** '' while ipledger allocates IPv4 only. */
  ipv6: string;
  prefix_length: number;
  gateway: string;
  vswitch_id: string;
  vswitch_cidr: string;
  eni: AllocationEni;
  mode: string;
  service_cidr: string;
  fixed: boolean;
  container_id: string;
  /** RFC 3339 */
  allocated_at: string;
}

export interface ReleaseIpRequest {
  node?: string;
  pod?: Partial<PodRef> | null;
  container_id?: string;
  reason?: string;
}

export interface ReleaseIpReply {
  released: boolean;
  ip: string;
  /** RFC 3339: end of the reuse cooldown, or how long a fixed IP is held for its pod; '' when nothing was held. */
  held_until: string;
}

/** Exactly one of `pod` or `ip`. */
export interface GetAllocationRequest {
  pod?: Partial<PodRef> | null;
  ip?: string;
}

export interface ListAllocationsRequest {
  node?: string;
}

export interface ListAllocationsReply {
  allocations: Allocation[];
}

export interface DescribePoolRequest {
  node?: string;
}

/** Exactly one of `ip`, `pod`, `node`, `eni`; `from` and `to` are optional RFC 3339 bounds. */
export interface HistoryRequest {
  ip?: string;
  pod?: Partial<PodRef> | null;
  node?: string;
  eni?: string;
  from?: string;
  to?: string;
}

export interface HistoryEntry {
  /** The event's global position: an int64 as a decimal string. */
  position: string;
  stream: string;
  type: string;
  /** RFC 3339 */
  at: string;
  /** The event's data as JSON text. */
  data_json: string;
}

export type ListNodesRequest = Record<string, never>;

export interface ListNodesReply {
  nodes: NodeView[];
}

/** The RPC names of the service, as @GrpcMethod and reflection know them. */
export const ALLOCATOR_RPCS = [
  'RegisterNode',
  'AllocateIp',
  'ReleaseIp',
  'GetAllocation',
  'ListAllocations',
  'DescribePool',
  'History',
  'ListNodes',
] as const;
export type AllocatorRpc = (typeof ALLOCATOR_RPCS)[number];

export const ALLOCATOR_PACKAGE = 'ipledger.v1';
export const ALLOCATOR_SERVICE = 'Allocator';
export const ALLOCATOR_SERVICE_FULL_NAME = 'ipledger.v1.Allocator';

/** Trailing-metadata keys the allocator sets on errors. */
export const REASON_METADATA_KEY = 'ipledger-reason';
export const FIELD_METADATA_KEY = 'ipledger-field';
