// What the pod network is asked to do (one request per CNI command) and what it is built from. Kept apart from
// the service so that its flows (setup, removal, check) can share them without importing the service.
import { type AllocatorClient, type CniBandwidth, type PodRef } from '@ipledger/proto';
import { type EniDirectory } from '../allocator/eni-directory.js';
import { type KernelPort } from '../kernel/index.js';
import { type Logger } from '../logging/json-logger.js';
import { type PodDataplaneMode } from '../state/pod-record.js';
import { type PodRecordStore } from '../state/pod-record.store.js';
import { type ContainerLocks } from './container-locks.js';
import { type PodDataplanes } from './pod-dataplanes.js';

export interface PodAttachment {
  containerId: string;
  /** CNI_NETNS; may be empty on DEL. */
  netns: string;
  ifName: string;
}

export interface AddPod extends PodAttachment {
  pod: PodRef;
  bandwidth?: CniBandwidth;
  mtu?: number;
  traceparent?: string;
}

export interface DelPod extends PodAttachment {
  /** From CNI_ARGS when the runtime passed them. */
  pod?: PodRef;
  traceparent?: string;
}

export type CheckPod = PodAttachment & { traceparent?: string };

/** The allocator wants the pod's address back (IpReleaseRequested). */
export interface ReleaseRequest {
  pod: PodRef;
  containerId: string;
  ip: string;
  reason: string;
}

export interface PodNetworkDeps {
  node: string;
  allocator: Pick<AllocatorClient, 'allocateIp' | 'releaseIp' | 'getAllocation'>;
  enis: Pick<EniDirectory, 'find'>;
  dataplanes: PodDataplanes;
  records: PodRecordStore;
  locks: ContainerLocks;
  kernel: Pick<KernelPort, 'netnsExists'>;
  /** Used when an allocation carries no Service CIDR. */
  serviceCidr: string | null;
  allocatorTimeoutMs: number;
  logger: Logger;
  /** The node's mode: on an `eniip` node ADD builds the pod's links while AllocateIp is in flight. */
  nodeMode: PodDataplaneMode;
  /** Test knob: a pause between the dataplane and the `ready` record (0 in production). */
  testAddDelayMs?: number;
}
