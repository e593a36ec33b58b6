// The working copy of a NodeState while events are folded into it (node.evolve.ts). Each record is shared with
// the state the fold started from until the first change, then copied once and changed in place; entries are
// replaced, never changed. So the fold is pure: the state it started from is never modified.
import { type CloudCallFailed } from '../events.js';
import { type EniState, type IpState, type NodeInfo, type NodeState, type PendingEniCreation } from './node.state.js';

type Writable<T> = Record<string, T>;

export class NodeDraft {
  info: NodeInfo | null;
  lastCloudFailure: CloudCallFailed['data'] | null;
  lastPodActivityMs: number | null;
  private enisRecord: Readonly<Record<string, EniState>>;
  private pendingRecord: Readonly<Record<string, PendingEniCreation>>;
  private ipsMap: ReadonlyMap<string, IpState>;
  private podsMap: ReadonlyMap<string, string>;
  /** Records this draft has copied (and may therefore change). */
  private readonly owned = { enis: false, pending: false, ips: false, pods: false };
  private finished = false;

  constructor(from: NodeState) {
    this.info = from.info;
    this.lastCloudFailure = from.lastCloudFailure;
    this.lastPodActivityMs = from.lastPodActivityMs;
    this.enisRecord = from.enis;
    this.pendingRecord = from.pendingEnis;
    this.ipsMap = from.ips;
    this.podsMap = from.pods;
  }

  /** The new state. The draft must not be changed afterwards: the state shares its records. */
  finish(): NodeState {
    this.finished = true;
    return {
      info: this.info,
      enis: this.enisRecord,
      pendingEnis: this.pendingRecord,
      ips: this.ipsMap,
      pods: this.podsMap,
      lastCloudFailure: this.lastCloudFailure,
      lastPodActivityMs: this.lastPodActivityMs,
    };
  }

  /** A pod took or gave up an address at `ms`; an unreadable instant (NaN) or an older one changes nothing. */
  podActivity(ms: number): void {
    if (!Number.isNaN(ms) && (this.lastPodActivityMs === null || ms > this.lastPodActivityMs)) {
      this.lastPodActivityMs = ms;
    }
  }

  eni(eniId: string): EniState | undefined {
    return this.enisRecord[eniId];
  }

  ip(ip: string): IpState | undefined {
    return this.ipsMap.get(ip);
  }

  /** The addresses as they stand, for reading only. */
  ipsView(): ReadonlyMap<string, IpState> {
    return this.ipsMap;
  }

  enis(): Writable<EniState> {
    if (this.own('enis')) {
      this.enisRecord = { ...this.enisRecord };
    }
    return this.enisRecord;
  }

  pendingEnis(): Writable<PendingEniCreation> {
    if (this.own('pending')) {
      this.pendingRecord = { ...this.pendingRecord };
    }
    return this.pendingRecord;
  }

  ips(): Map<string, IpState> {
    if (this.own('ips')) {
      this.ipsMap = new Map(this.ipsMap);
    }
    return this.ipsMap as Map<string, IpState>;
  }

  pods(): Map<string, string> {
    if (this.own('pods')) {
      this.podsMap = new Map(this.podsMap);
    }
    return this.podsMap as Map<string, string>;
  }

  /** Replaces the ENI's entry by a patched copy; nothing when the ENI is unknown. */
  patchEni(eniId: string, patch: Partial<EniState>): void {
    const eni = this.enisRecord[eniId];
    if (eni) {
      this.enis()[eniId] = { ...eni, ...patch };
    }
  }

  /** Replaces the address's entry by what `patch` makes of it; nothing when the address is unknown. */
  patchIp(ip: string, patch: (current: IpState) => IpState): void {
    const current = this.ipsMap.get(ip);
    if (current) {
      this.ips().set(ip, patch(current));
    }
  }

  deleteIps(ips: readonly string[]): void {
    if (ips.some((ip) => this.ipsMap.has(ip))) {
      const map = this.ips();
      for (const ip of ips) {
        map.delete(ip);
      }
    }
  }

  deletePod(key: string): void {
    if (this.podsMap.has(key)) {
      this.pods().delete(key);
    }
  }

  deletePendingEni(clientToken: string): void {
    if (Object.hasOwn(this.pendingRecord, clientToken)) {
      delete this.pendingEnis()[clientToken];
    }
  }

  /** True when the record still has to be copied before the first change (and marks it copied). */
  private own(record: keyof NodeDraft['owned']): boolean {
    if (this.finished) {
      throw new Error('a finished node draft was changed');
    }
    if (this.owned[record]) {
      return false;
    }
    this.owned[record] = true;
    return true;
  }
}
