// Reads the ledger's events back as a story: one sentence per event, and for an IP or a pod the spans in
// which a pod held an address ("who held 10.0.1.5, and when"). Events come as the allocator's History stream
// sends them (type + JSON data); types this CLI does not know yet are shown with their raw data.
import { isLedgerEventType, type LedgerEvent } from '@ipledger/domain';
import { formatDuration } from '@ipledger/config';
import { type HistoryEntry } from '@ipledger/proto';

export interface TimelineEvent {
  position: string;
  stream: string;
  type: string;
  at: string;
  data: Record<string, unknown>;
  /** Null for an event type this CLI does not know. */
  event: LedgerEvent | null;
}

/** A span during which one pod (container) held one IP. */
export interface Holding {
  ip: string;
  pod: string;
  podUid: string;
  containerId: string;
  node: string;
  eniId: string;
  from: string;
  /** Null while the pod still holds the IP. */
  until: string | null;
  /** Why the holding ended: the release reason, a takeover, the ENI's deletion. */
  end: string | null;
}

export function toTimelineEvent(entry: HistoryEntry): TimelineEvent {
  let data: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(entry.data_json || '{}');
    data = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    data = { raw: entry.data_json };
  }
  const event = isLedgerEventType(entry.type) ? ({ type: entry.type, data } as unknown as LedgerEvent) : null;
  return { position: entry.position, stream: entry.stream, type: entry.type, at: entry.at, data, event };
}

/** One readable sentence for an event. */
export function describeEvent(item: TimelineEvent): string {
  return item.event ? describeKnown(item.event) : JSON.stringify(item.data);
}

function describeKnown(event: LedgerEvent): string {
  switch (event.type) {
    case 'NodeRegistered': {
      const d = event.data;
      return `node ${d.node} registered: ${d.instanceId} (${d.instanceType}, ${d.zone}), mode ${d.mode}, max ${d.maxPods} pods`;
    }
    case 'EniCreateRequested':
      return `ENI creation requested in ${vswitchText(event.data.vswitch)} (client token ${event.data.clientToken})`;
    case 'EniCreated': {
      const d = event.data;
      return `${d.eniId} created in ${vswitchText(d.vswitch)}, MAC ${d.mac}, primary IP ${d.primaryIp}${d.trunk ? ', trunk' : ''}`;
    }
    case 'EniCreateFailed':
      return `ENI creation in ${event.data.vswitchId} failed: ${event.data.code}: ${event.data.message}`;
    case 'EniAttachRequested':
      return `attach of ${event.data.eniId} to ${event.data.instanceId} requested`;
    case 'EniAttached':
      return `${event.data.eniId} attached to ${event.data.instanceId} as device ${event.data.deviceIndex}`;
    case 'IpsAssigned':
      return `${countIps(event.data.ips)} assigned to ${event.data.eniId}: ${listIps(event.data.ips)}`;
    case 'IpAllocated': {
      const d = event.data;
      return `${d.ip} allocated to ${podText(d.pod)} (container ${shortId(d.containerId)}) on ${d.eniId}`;
    }
    case 'IpReleaseRequested':
      return `teardown of ${event.data.ip} (${podText(event.data.pod)}) requested: ${event.data.reason}`;
    case 'PodTeardownConfirmed':
      return `node confirmed ${podText(event.data.pod)} no longer uses ${event.data.ip}`;
    case 'IpReleased': {
      const d = event.data;
      return `${d.ip} released by ${podText(d.pod)} (${d.reason}); cooling down until ${d.cooldownUntil}`;
    }
    case 'IpCooldownEnded':
      return `${event.data.ip} cooled down: idle again`;
    case 'IpsUnassignRequested':
      return `unassign of ${countIps(event.data.ips)} from ${event.data.eniId} requested: ${listIps(event.data.ips)}`;
    case 'IpsUnassigned':
      return `${countIps(event.data.ips)} unassigned from ${event.data.eniId}: ${listIps(event.data.ips)}`;
    case 'EniDetachRequested':
      return `detach of ${event.data.eniId} requested`;
    case 'EniDetached':
      return `${event.data.eniId} detached`;
    case 'EniDeleted':
      return `${event.data.eniId} deleted`;
    case 'CloudCallFailed': {
      const d = event.data;
      const subject = [d.eniId, d.vswitchId].filter(Boolean).join(', ');
      return `${d.api} failed${subject ? ` (${subject})` : ''}: ${d.code}: ${d.message}${d.retryable ? ' (will retry)' : ''}`;
    }
    case 'VSwitchBlocked':
      return `${event.data.vswitchId} blocked until ${event.data.until}: ${event.data.reason}`;
    case 'VSwitchCapacityObserved':
      return `${event.data.vswitchId} (${event.data.cidr}) has ${event.data.availableIpCount} free addresses`;
    case 'ConfigApplied':
      return `eni-config version ${event.data.version} applied (sha256 ${String(event.data.sha256).slice(0, 12)})`;
    default: {
      const _never: never = event;
      return JSON.stringify(_never);
    }
  }
}

/** The spans in which pods held addresses, oldest first, from the allocation and release events given. */
export function holdings(items: readonly TimelineEvent[]): Holding[] {
  const all: Holding[] = [];
  const open = new Map<string, Holding>();
  const close = (holding: Holding | undefined, at: string, end: string) => {
    if (holding) {
      holding.until = at;
      holding.end = end;
      open.delete(holding.ip);
    }
  };
  for (const { event, at } of items) {
    if (event?.type === 'IpAllocated') {
      const d = event.data;
      close(open.get(d.ip), at, `taken over by container ${shortId(d.containerId)}`);
      const holding: Holding = {
        ...{ ip: d.ip, pod: podText(d.pod), podUid: d.pod?.uid ?? '', containerId: d.containerId },
        ...{ node: d.node, eniId: d.eniId, from: at, until: null, end: null },
      };
      open.set(d.ip, holding);
      all.push(holding);
    } else if (event?.type === 'IpReleased') {
      close(open.get(event.data.ip), at, `released: ${event.data.reason}`);
    } else if (event?.type === 'EniDeleted') {
      for (const holding of [...open.values()].filter((h) => h.eniId === event.data.eniId)) {
        close(holding, at, 'its ENI was deleted');
      }
    }
  }
  return all;
}

/** How long a holding lasted (or has lasted until `now`), in Go spelling rounded to the second. */
export function heldFor(holding: Holding, now: Date): string {
  const end = holding.until === null ? now.getTime() : Date.parse(holding.until);
  const ms = Math.max(0, end - Date.parse(holding.from));
  return formatDuration(ms < 1_000 ? ms : Math.round(ms / 1_000) * 1_000);
}

function vswitchText(vswitch: { id?: string; cidr?: string } | undefined): string {
  return vswitch ? `${vswitch.id} (${vswitch.cidr})` : 'an unknown vSwitch';
}

function podText(pod: { namespace?: string; name?: string } | undefined): string {
  return pod ? `${pod.namespace}/${pod.name}` : 'an unknown pod';
}

function countIps(ips: readonly string[] | undefined): string {
  const n = ips?.length ?? 0;
  return n === 1 ? '1 IP' : `${n} IPs`;
}

function listIps(ips: readonly string[] | undefined): string {
  return (ips ?? []).join(', ');
}

/** Container ids are 64 hex digits; 12 identify one as well, as `crictl` and `docker ps` show them. */
export function shortId(id: string | undefined): string {
  return (id ?? '').slice(0, 12) || '-';
}
