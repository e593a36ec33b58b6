// What the agent remembers about each pod on its node, so that a restart (or a crash in the middle of ADD or
// DEL) knows what it set up and what it may have left half done. One small record per container.
import { type CniBandwidth, type PodRef } from '@ipledger/proto';

/**
 * - `allocating`: written before AllocateIp; the allocator may or may not have handed out an address.
 * - `configuring`: the address is known; the dataplane may be partly set up.
 * - `ready`: ADD finished and answered.
 * - `releasing`: teardown started (DEL, or the allocator asked); ReleaseIp may not have been confirmed.
 * - `released`: the address is given back and unusable on the node; only the pod's devices (host veth, ifb)
 *   may still exist. Deleting them never touches rules or routes: the address may belong to a new pod by then.
 * A record in any phase but `ready` that no request is working on is the trace of a crash: the agent tears
 * the pod down and releases its address (nothing half configured survives a restart).
 */
export type PodPhase = 'allocating' | 'configuring' | 'ready' | 'releasing' | 'released';

export type PodDataplaneMode = 'eniip' | 'eni';

export interface PodRecordEni {
  id: string;
  mac: string;
  gateway: string;
  vswitchCidr: string;
  /** The ENI's primary address (a shared ENI's host-side address; the pod's own for an exclusive ENI). */
  primaryIp: string;
}

export interface PodRecord {
  containerId: string;
  ifName: string;
  /** CNI_NETNS as the runtime gave it; empty when a DEL came without one. */
  netns: string;
  pod: PodRef;
  phase: PodPhase;
  ip?: string;
  mode?: PodDataplaneMode;
  eni?: PodRecordEni;
  serviceCidr?: string;
  bandwidth?: CniBandwidth;
  mtu?: number;
  /** RFC 3339, each time the record is written. */
  updatedAt: string;
}
