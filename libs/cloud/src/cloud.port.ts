// The one door to the cloud. The allocator is the only caller of the ECS/VPC OpenAPI and it goes through
// this port, which owns rate limiting (one token bucket per API per minute), idempotency (ClientToken reused
// on retry) and backoff. Implementations: EcsCloudAdapter (the real @alicloud/ecs20140526 client, pointed at
// Alibaba Cloud or at ecs-sim). Unit tests of our own code may fake this port; nothing else does.

export interface InstanceTypeLimits {
  instanceType: string;
  eniQuantity: number;
  eniPrivateIpAddressQuantity: number;
  eniIpv6AddressQuantity: number;
  eniTotalQuantity: number;
  eniTrunkSupported: boolean;
}

export interface CloudVSwitch {
  id: string;
  zone: string;
  cidr: string;
  /** The vSwitch gateway: the last usable address but two of the CIDR, as on Alibaba Cloud (x.x.x.253 in a /24). */
  gateway: string;
  availableIpCount: number;
  vpcId: string;
}

export type EniStatus = 'Available' | 'Attaching' | 'InUse' | 'Detaching' | 'Deleting' | 'CreateFailed';

export interface CloudEni {
  id: string;
  mac: string;
  status: EniStatus;
  vswitchId: string;
  zone: string;
  primaryIp: string;
  /** All private IPv4 addresses, primary first. */
  privateIps: string[];
  instanceId: string | null;
  deviceIndex: number | null;
  type: 'Primary' | 'Secondary' | 'Trunk' | 'Member';
  tags: Record<string, string>;
  securityGroupIds: string[];
  creationTime: string | null;
  vpcId?: string;
  /** For a Member ENI: the trunk ENI it hangs off (its deviceIndex is then the VLAN id). */
  trunkEniId?: string | null;
}

export interface CreateEniInput {
  vswitchId: string;
  securityGroupIds: string[];
  /** Reused verbatim on every retry of this creation, also after a restart. */
  clientToken: string;
  tags: Record<string, string>;
  description?: string;
  trunk?: boolean;
}

export interface DescribeEnisFilter {
  eniIds?: string[];
  instanceId?: string;
  tags?: Record<string, string>;
  vswitchId?: string;
  status?: EniStatus;
}

export interface AttachEniOptions {
  /** Attach as a member of this trunk ENI (trunk mode) instead of as an ENI of its own. */
  trunkEniId?: string;
}

export interface CloudPort {
  describeInstanceTypes(instanceTypes: string[]): Promise<InstanceTypeLimits[]>;
  describeVSwitches(vswitchIds: string[]): Promise<CloudVSwitch[]>;
  createNetworkInterface(input: CreateEniInput): Promise<CloudEni>;
  /** Starts the attachment and waits (polling DescribeNetworkInterfaces) until the ENI is InUse. */
  attachNetworkInterface(eniId: string, instanceId: string, options?: AttachEniOptions): Promise<CloudEni>;
  /** Starts the detachment and waits until the ENI is Available again. */
  detachNetworkInterface(eniId: string, instanceId: string, options?: AttachEniOptions): Promise<void>;
  deleteNetworkInterface(eniId: string): Promise<void>;
  describeNetworkInterfaces(filter: DescribeEnisFilter): Promise<CloudEni[]>;
  /** At most 10 addresses per call (the API's limit); returns the addresses the cloud assigned. */
  assignPrivateIpAddresses(eniId: string, count: number): Promise<string[]>;
  unassignPrivateIpAddresses(eniId: string, ips: string[]): Promise<void>;
}

/** Why a cloud call failed, in the cloud's own words, plus what the caller should do about it. */
export type CloudErrorKind =
  | 'throttled' // Throttling*: retry later
  | 'conflict' // Operation.Conflict: retry later
  | 'internal' // InternalError / 5xx / network: retry later
  | 'vswitch-exhausted' // InvalidVSwitchId.IpNotEnough, QuotaExceeded.PrivateIpAddress: try another vSwitch
  | 'limit-exceeded' // the instance holds as many ENIs / IPs as its type allows
  | 'not-found' // the ENI, instance or vSwitch does not exist
  | 'invalid' // a bad parameter: a bug or a bad config, do not retry
  | 'unknown';

export class CloudError extends Error {
  override readonly name = 'CloudError';
  constructor(
    readonly api: string,
    readonly code: string,
    readonly kind: CloudErrorKind,
    message: string,
    readonly requestId: string | null = null,
    readonly httpStatus: number | null = null,
  ) {
    super(`${api}: ${code}: ${message}`);
  }

  get retryable(): boolean {
    return this.kind === 'throttled' || this.kind === 'conflict' || this.kind === 'internal';
  }
}

export const CLOUD_PORT = Symbol('CLOUD_PORT');
