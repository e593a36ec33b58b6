// A NodeState as plain JSON, for the allocator's snapshots (a cache of the fold, never the truth: see
// docs/allocator.md, "Snapshots"). The state holds Maps and epoch-ms numbers that may be NaN (an instant the
// fold could not read), which JSON cannot carry as they are; and Postgres' jsonb reorders object keys, while
// the deciders walk the ENIs, pending creations and addresses in the order the fold left them. So every keyed
// collection is written as a list of [key, value] pairs, and every non-finite number as its name.
import { invalidArgument } from '../errors.js';
import { type EniState, type IpState, type NodeInfo, type NodeState, type PendingEniCreation } from './node.state.js';
import { type CloudCallFailed } from '../events.js';

/**
 * The shape of SerializedNodeState. Bump it whenever NodeState or this encoding changes shape (a field added,
 * renamed or given a new meaning): snapshots of another format are ignored and the stream is folded in full.
 */
export const NODE_SNAPSHOT_FORMAT = 1;

/** An epoch-ms number as JSON: finite numbers as they are, NaN and the infinities by name. */
export type EncodedMs = number | 'NaN' | 'Infinity' | '-Infinity';

export type SerializedIpState = Omit<IpState, 'sinceMs' | 'cooldownUntilMs'> & {
  sinceMs: EncodedMs;
  cooldownUntilMs: EncodedMs | null;
};

export interface SerializedNodeState {
  info: NodeInfo | null;
  enis: [string, EniState][];
  pendingEnis: [string, PendingEniCreation][];
  ips: [string, SerializedIpState][];
  pods: [string, string][];
  lastCloudFailure: CloudCallFailed['data'] | null;
  lastPodActivityMs: EncodedMs | null;
}

const encodeMs = (ms: number): EncodedMs => (Number.isFinite(ms) ? ms : (String(ms) as EncodedMs));

function decodeMs(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return value;
  }
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') {
    return Number(value);
  }
  throw malformed(field, 'not an epoch-ms number');
}

const malformed = (field: string, problem: string) => invalidArgument(`snapshot.${field}`, problem);

/** The state as JSON-safe data (no Maps, no NaN); `deserializeNodeState` gives back an equal state. */
export function serializeNodeState(state: NodeState): SerializedNodeState {
  return {
    info: state.info,
    enis: Object.entries(state.enis),
    pendingEnis: Object.entries(state.pendingEnis),
    ips: [...state.ips].map(([key, ip]) => [
      key,
      {
        ...ip,
        sinceMs: encodeMs(ip.sinceMs),
        cooldownUntilMs: ip.cooldownUntilMs === null ? null : encodeMs(ip.cooldownUntilMs),
      },
    ]),
    pods: [...state.pods],
    lastCloudFailure: state.lastCloudFailure,
    lastPodActivityMs: state.lastPodActivityMs === null ? null : encodeMs(state.lastPodActivityMs),
  };
}

/**
 * The state a snapshot of `format` holds; null when the format is not this build's (the caller folds the
 * stream instead). Throws `invalid-argument` when the data does not have the format's shape.
 */
export function deserializeNodeState(format: number, data: unknown): NodeState | null {
  if (format !== NODE_SNAPSHOT_FORMAT) {
    return null;
  }
  const s = objectAt(data, 'state');
  return {
    info: s.info === null ? null : (objectAt(s.info, 'info') as unknown as NodeInfo),
    enis: Object.fromEntries(pairsAt(s.enis, 'enis', (v, f) => objectAt(v, f) as unknown as EniState)),
    pendingEnis: Object.fromEntries(
      pairsAt(s.pendingEnis, 'pendingEnis', (v, f) => objectAt(v, f) as unknown as PendingEniCreation),
    ),
    ips: new Map(pairsAt(s.ips, 'ips', decodeIp)),
    pods: new Map(pairsAt(s.pods, 'pods', stringAt)),
    lastCloudFailure:
      s.lastCloudFailure === null
        ? null
        : (objectAt(s.lastCloudFailure, 'lastCloudFailure') as unknown as CloudCallFailed['data']),
    lastPodActivityMs: s.lastPodActivityMs === null ? null : decodeMs(s.lastPodActivityMs, 'lastPodActivityMs'),
  };
}

function decodeIp(value: unknown, field: string): IpState {
  const ip = objectAt(value, field);
  for (const key of ['ip', 'eniId', 'status', 'since'] as const) {
    stringAt(ip[key], `${field}.${key}`);
  }
  if (typeof ip.primary !== 'boolean') {
    throw malformed(`${field}.primary`, 'not a boolean');
  }
  return {
    ...(ip as unknown as IpState),
    sinceMs: decodeMs(ip.sinceMs, `${field}.sinceMs`),
    cooldownUntilMs: ip.cooldownUntilMs === null ? null : decodeMs(ip.cooldownUntilMs, `${field}.cooldownUntilMs`),
  };
}

function objectAt(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(field, 'not an object');
  }
  return value as Record<string, unknown>;
}

function stringAt(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw malformed(field, 'not a string');
  }
  return value;
}

function pairsAt<T>(value: unknown, field: string, decode: (v: unknown, field: string) => T): [string, T][] {
  if (!Array.isArray(value)) {
    throw malformed(field, 'not a list of [key, value] pairs');
  }
  return value.map((pair: unknown, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw malformed(`${field}[${i}]`, 'not a [key, value] pair');
    }
    const [key, item] = pair as [unknown, unknown];
    return [stringAt(key, `${field}[${i}][0]`), decode(item, `${field}[${i}][1]`)];
  });
}
