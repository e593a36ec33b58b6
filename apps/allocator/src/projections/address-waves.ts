import type {
  IpAllocated,
  IpCooldownEnded,
  IpReleased,
  IpReleaseRequested,
  PodTeardownConfirmed,
} from '@ipledger/domain';
import type { RecordedEvent } from '@ipledger/event-store';
import type { IpState } from './ip.entity.js';

// The allocation hot path's events, gathered into waves that one statement can write (addresses.projection.ts).
// Applying the events one by one is the reference. A wave keeps at most one write per `ips` row and one
// allocation write per address and per (pod, container), so its parts touch disjoint rows (and disjoint keys of
// the partial unique indexes) and their order inside the statement cannot matter. Two writes to the same row
// are folded only where the fold is exactly what the sequence would do:
// - `ips`: every hot event sets (state, cooldown_until, updated_at) of the row `node = $n AND ip = $ip`; for
//   the same node and address the last set wins.
// - `allocations`: IpReleaseRequested, PodTeardownConfirmed and IpReleased each set columns of the active row
//   of one (node, ip, pod uid, container); for the same key they all hit the same row while it stays active,
//   i.e. up to and including an IpReleased, so they fold into one patch (later values win) until then.
// Anything else starts a new wave.

export type HotEvent = IpAllocated | IpReleaseRequested | PodTeardownConfirmed | IpReleased | IpCooldownEnded;

export const HOT_TYPES: ReadonlySet<string> = new Set<HotEvent['type']>([
  'IpAllocated',
  'IpReleaseRequested',
  'PodTeardownConfirmed',
  'IpReleased',
  'IpCooldownEnded',
]);

export interface IpWrite {
  node: string;
  ip: string;
  state: IpState;
  cooldown_until: string | null;
  at: string;
}

export interface AllocationInsert {
  id: string;
  data: IpAllocated['data'];
}

/** Columns of one active allocation row to set; a flag says whether each group is set at all. */
export interface AllocationPatch {
  node: string;
  ip: string;
  pod_uid: string;
  container_id: string;
  requested: boolean;
  release_requested_at: string | null;
  torn_down: boolean;
  teardown_confirmed_at: string | null;
  released: boolean;
  released_at: string | null;
  cooldown_until: string | null;
  reason_set: boolean;
  release_reason: string | null;
}

export class AddressWave {
  readonly ips = new Map<string, IpWrite>();
  readonly inserts = new Map<string, AllocationInsert>();
  readonly patches = new Map<string, AllocationPatch>();
  /** `pod uid / container id` of every allocation write in the wave. */
  private readonly containers = new Set<string>();

  get empty(): boolean {
    return this.ips.size === 0 && this.inserts.size === 0 && this.patches.size === 0;
  }

  /** Adds the event if the wave can take it as the next one in order; false when it must start a new wave. */
  add(event: RecordedEvent & HotEvent): boolean {
    const ipWrite = ipWriteOf(event);
    const known = this.ips.get(ipWrite?.ip ?? '');
    if (ipWrite && known && known.node !== ipWrite.node) {
      return false;
    }
    if (!this.addAllocationWrite(event)) {
      return false;
    }
    if (ipWrite) {
      this.ips.set(ipWrite.ip, ipWrite);
    }
    return true;
  }

  private addAllocationWrite(event: RecordedEvent & HotEvent): boolean {
    if (event.type === 'IpCooldownEnded') {
      return true;
    }
    const d = event.data;
    const container = `${d.pod.uid}/${d.containerId}`;
    const patch = this.patches.get(d.ip);
    if (event.type === 'IpAllocated') {
      if (this.inserts.has(d.ip) || patch || this.containers.has(container)) {
        return false;
      }
      this.inserts.set(d.ip, { id: event.id, data: event.data });
      this.containers.add(container);
      return true;
    }
    if (this.inserts.has(d.ip)) {
      return false;
    }
    if (!patch) {
      if (this.containers.has(container)) {
        return false;
      }
      this.patches.set(d.ip, foldPatch(emptyPatch(d.node, d.ip, d.pod.uid, d.containerId), event));
      this.containers.add(container);
      return true;
    }
    const sameRow = patch.node === d.node && patch.pod_uid === d.pod.uid && patch.container_id === d.containerId;
    if (!sameRow || patch.released) {
      return false;
    }
    foldPatch(patch, event);
    return true;
  }
}

function ipWriteOf(event: HotEvent): IpWrite | null {
  const { node, ip, at } = event.data;
  switch (event.type) {
    case 'IpAllocated':
      return { node, ip, state: 'allocated', cooldown_until: null, at };
    case 'IpReleaseRequested':
      return { node, ip, state: 'releasing', cooldown_until: null, at };
    case 'IpReleased':
      return { node, ip, state: 'cooling', cooldown_until: event.data.cooldownUntil, at };
    case 'IpCooldownEnded':
      return { node, ip, state: 'idle', cooldown_until: null, at };
    case 'PodTeardownConfirmed':
      return null;
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

const emptyPatch = (node: string, ip: string, podUid: string, containerId: string): AllocationPatch => ({
  node,
  ip,
  pod_uid: podUid,
  container_id: containerId,
  requested: false,
  release_requested_at: null,
  torn_down: false,
  teardown_confirmed_at: null,
  released: false,
  released_at: null,
  cooldown_until: null,
  reason_set: false,
  release_reason: null,
});

type PatchEvent = IpReleaseRequested | PodTeardownConfirmed | IpReleased;

function foldPatch(patch: AllocationPatch, event: PatchEvent): AllocationPatch {
  switch (event.type) {
    case 'IpReleaseRequested':
      Object.assign(patch, { requested: true, release_requested_at: event.data.at });
      Object.assign(patch, { reason_set: true, release_reason: event.data.reason });
      return patch;
    case 'PodTeardownConfirmed':
      return Object.assign(patch, { torn_down: true, teardown_confirmed_at: event.data.at });
    case 'IpReleased':
      Object.assign(patch, { released: true, released_at: event.data.at, cooldown_until: event.data.cooldownUntil });
      return Object.assign(patch, { reason_set: true, release_reason: event.data.reason });
    default: {
      const _never: never = event;
      return _never;
    }
  }
}
