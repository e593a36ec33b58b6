// Names and MACs on the node are derived from the sandbox's container id, so that the agent can recompute
// them from the ledger (which records container ids) and recognise its own devices after a restart.
import { createHash } from 'node:crypto';

/** Host end of a pod's veth: `ipl` + 11 hex digits (14 characters; Linux allows 15). */
export const HOST_VETH_PREFIX = 'ipl';
/** The ifb that carries a pod's shaped egress: `ipb` + the same 11 hex digits. */
export const IFB_PREFIX = 'ipb';

const KEY_LENGTH = 11;
export const HOST_VETH_PATTERN = /^ipl([0-9a-f]{11})$/;
export const IFB_PATTERN = /^ipb([0-9a-f]{11})$/;

/** The gateway every veth pod routes to; answered by a permanent neighbour entry, never by ARP. */
export const POD_GATEWAY = '169.254.1.1';

export interface PodNames {
  /** 11 hex digits shared by every name of this pod. */
  key: string;
  hostVeth: string;
  ifb: string;
  /** Fixed, locally administered MACs: the pod's neighbour entry and CNI result need no read-back. */
  hostMac: string;
  podMac: string;
}

function macFrom(bytes: Buffer): string {
  // 0x02: locally administered, unicast.
  return [0x02, ...bytes.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function podNames(containerId: string): PodNames {
  const digest = createHash('sha256').update(containerId).digest();
  const key = digest.toString('hex').slice(0, KEY_LENGTH);
  return {
    key,
    hostVeth: `${HOST_VETH_PREFIX}${key}`,
    ifb: `${IFB_PREFIX}${key}`,
    hostMac: macFrom(digest.subarray(8, 13)),
    podMac: macFrom(digest.subarray(16, 21)),
  };
}

/** The key in a host veth or ifb name, or null when the device is not one of ours. */
export function keyOfDevice(name: string): string | null {
  return HOST_VETH_PATTERN.exec(name)?.[1] ?? IFB_PATTERN.exec(name)?.[1] ?? null;
}
