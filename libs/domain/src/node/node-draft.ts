// The working copy of a NodeState while events are folded into it (node.evolve.ts). Each record is shared with
// the state the fold started from until the first change, then copied once and changed in place; entries are
// replaced, never changed. So the fold is pure: the state it started from is never modified.
import { type CloudCallFailed } from '../events.js';
import { type EniState, type IpState, type NodeInfo, type NodeState, type PendingEniCreation } from './node.state.js';

type Writable<T> = Record<string, T>;

export class NodeDraft {
  info: NodeInfo | null;
  lastCloudFailure: CloudCallFailed['data'] | null;
  private enisRecord: Readonly<Record<string, EniState>>;
  private pendingRecord: Readonly<Record<string, PendingEniCreation>>;
  private ipsRecord: Readonly<Record<string, IpState>>;
  private podsRecord: Readonly<Record<string, string>>;
  /** Records this draft has copied (and may therefore change). */
  private readonly owned = { enis: false, pending: false, ips: false, pods: false };
  private finished = false;

  constructor(from: NodeState) {
    this.info = from.info;
    this.lastCloudFailure = from.lastCloudFailure;
    this.enisRecord = from.enis;
    this.pendingRecord = from.pendingEnis;
    this.ipsRecord = from.ips;
    this.podsRecord = from.pods;
  }

  /** The new state. The draft must not be changed afterwards: the state shares its records. */
  finish(): NodeState {
    this.finished = true;
    return {
      info: this.info,
      enis: this.enisRecord,
      pendingEnis: this.pendingRecord,
      ips: this.ipsRecord,
      pods: this.podsRecord,
      lastCloudFailure: this.lastCloudFailure,
    };
  }

  eni(eniId: string): EniState | undefined {
    return this.enisRecord[eniId];
  }

  ip(ip: string): IpState | undefined {
    return this.ipsRecord[ip];
  }

  /** The addresses as they stand, for reading only. */
  ipsView(): Readonly<Record<string, IpState>> {
    return this.ipsRecord;
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

  ips(): Writable<IpState> {
    if (this.own('ips')) {
      this.ipsRecord = { ...this.ipsRecord };
    }
    return this.ipsRecord;
  }

  pods(): Writable<string> {
    if (this.own('pods')) {
      this.podsRecord = { ...this.podsRecord };
    }
    return this.podsRecord;
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
    const current = this.ipsRecord[ip];
    if (current) {
      this.ips()[ip] = patch(current);
    }
  }

  deleteIps(ips: readonly string[]): void {
    if (ips.some((ip) => Object.hasOwn(this.ipsRecord, ip))) {
      const record = this.ips();
      for (const ip of ips) {
        delete record[ip];
      }
    }
  }

  deletePod(key: string): void {
    if (Object.hasOwn(this.podsRecord, key)) {
      delete this.pods()[key];
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
