// One line a newcomer understands per ledger event worth showing: nodes registering, the pool growing and
// shrinking through the cloud, pods getting and giving back addresses, and what went wrong. Pure.
import { isLedgerEventType, type LedgerEvent, type LedgerEventType } from '@ipledger/domain';

export interface EventLine {
  text: string;
  /** Trouble (a failed cloud call, a blocked vSwitch): shown with a marker. */
  warning: boolean;
}

// Bookkeeping steps of a bigger change: the live feed leaves them out, an address's history shows them.
const ROUTINE: ReadonlySet<string> = new Set<LedgerEventType>([
  'EniCreateRequested',
  'EniAttachRequested',
  'IpReleaseRequested',
  'PodTeardownConfirmed',
  'IpsUnassignRequested',
  'EniDetachRequested',
  'VSwitchCapacityObserved',
]);
const TROUBLE: ReadonlySet<string> = new Set<LedgerEventType>(['EniCreateFailed', 'CloudCallFailed', 'VSwitchBlocked']);

/** The live feed's line for a recorded event, or null when it is routine (or a type this version does not know). */
export function eventLine(event: { type: string; data: unknown }): EventLine | null {
  if (!isLedgerEventType(event.type) || ROUTINE.has(event.type)) {
    return null;
  }
  return { text: describe(event as LedgerEvent), warning: TROUBLE.has(event.type) };
}

/** Any event in a sentence, routine ones included; an unknown type is named as it is. */
export function describeEvent(event: { type: string; data: unknown }): string {
  return isLedgerEventType(event.type) ? describe(event as LedgerEvent) : event.type;
}

function describe(event: LedgerEvent): string {
  switch (event.type) {
    case 'NodeRegistered': {
      const { node, instanceType, zone, mode, maxPods, limits } = event.data;
      return `registered node ${node} (${instanceType}, ${zone}, ${mode}): max ${maxPods} pods (${limits.adapters} ENIs × ${limits.ipv4PerAdapter} IPs)`;
    }
    case 'EniCreated':
      return `${event.data.node}: created ENI ${event.data.eniId} in ${event.data.vswitch.id} (${event.data.vswitch.cidr})`;
    case 'EniAttached':
      return `${event.data.node}: attached ENI ${event.data.eniId} to ${event.data.instanceId} as device ${event.data.deviceIndex}`;
    case 'IpsAssigned':
      return `${event.data.node}: pool +${event.data.ips.length} ${plural(event.data.ips.length, 'IP')} on ${event.data.eniId} (${ipList(event.data.ips)})`;
    case 'IpAllocated':
      return `pod ${podName(event.data.pod)} → ${event.data.ip} on ${event.data.node} (${event.data.eniId})`;
    case 'IpReleased':
      return `pod ${podName(event.data.pod)} gave back ${event.data.ip} on ${event.data.node}; cooling down until ${clock(event.data.cooldownUntil)}`;
    case 'IpCooldownEnded':
      return `${event.data.node}: ${event.data.ip} cooled down, idle again`;
    case 'IpsUnassigned':
      return `${event.data.node}: pool −${event.data.ips.length} ${plural(event.data.ips.length, 'IP')} given back to the cloud from ${event.data.eniId}`;
    case 'EniDetached':
      return `${event.data.node}: detached ENI ${event.data.eniId}`;
    case 'EniDeleted':
      return `${event.data.node}: deleted ENI ${event.data.eniId}`;
    case 'EniCreateFailed':
      return `${event.data.node}: ENI creation in ${event.data.vswitchId} failed: ${event.data.code}`;
    case 'CloudCallFailed':
      return `${event.data.node}: ${event.data.api} failed with ${event.data.code}${event.data.retryable ? ' (will retry)' : ''}`;
    case 'VSwitchBlocked':
      return `vSwitch ${event.data.vswitchId} blocked until ${clock(event.data.until)}: ${event.data.reason}`;
    case 'ConfigApplied':
      return `eni-config version ${event.data.version} applied (sha256 ${event.data.sha256.slice(0, 12)}…)`;
    case 'EniCreateRequested':
      return `${event.data.node}: asked the cloud for an ENI in ${event.data.vswitch.id}`;
    case 'EniAttachRequested':
      return `${event.data.node}: attaching ENI ${event.data.eniId} to ${event.data.instanceId}`;
    case 'IpReleaseRequested':
      return `${event.data.node}: asked to tear down pod ${podName(event.data.pod)} (${event.data.reason})`;
    case 'PodTeardownConfirmed':
      return `${event.data.node}: pod ${podName(event.data.pod)} torn down, ${event.data.ip} unused`;
    case 'IpsUnassignRequested':
      return `${event.data.node}: giving back ${ipList(event.data.ips)} from ${event.data.eniId}`;
    case 'EniDetachRequested':
      return `${event.data.node}: detaching ENI ${event.data.eniId}`;
    case 'VSwitchCapacityObserved':
      return `vSwitch ${event.data.vswitchId} (${event.data.cidr}) has ${event.data.availableIpCount} free addresses`;
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

const podName = (pod: { namespace: string; name: string }): string => `${pod.namespace}/${pod.name}`;

const plural = (count: number, word: string): string => (count === 1 ? word : `${word}s`);

/** A few addresses in full; a long run as first … last. */
export function ipList(ips: readonly string[]): string {
  return ips.length <= 3 ? ips.join(', ') : `${ips[0]} … ${ips.at(-1)}`;
}

/** HH:MM:SS of an RFC 3339 time in the machine's zone; the text itself when it is not a time. */
export function clock(at: string): string {
  const time = new Date(at);
  return Number.isNaN(time.getTime()) ? at : time.toTimeString().slice(0, 8);
}
