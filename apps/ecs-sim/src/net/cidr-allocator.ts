import { type Cidr, cidrContains, parseCidr } from './ipv4.js';

export type ClaimResult = 'ok' | 'outside' | 'reserved' | 'taken';

/**
 * Hands out the addresses of one vSwitch CIDR the way Alibaba Cloud does: the first address and the last three
 * are reserved and never handed out; the gateway is the first of those three (x.x.x.253 in a /24).
 *
 * Allocation is next-fit: it continues after the address handed out last and wraps around, so a released
 * address is not reused at once while free space remains (the cloud does not promise immediate reuse either).
 */
export class CidrAllocator {
  readonly cidr: Cidr;
  readonly firstUsable: number;
  readonly lastUsable: number;
  readonly gateway: number;
  private readonly used = new Set<number>();
  private cursor: number;

  constructor(cidrText: string) {
    this.cidr = parseCidr(cidrText);
    if (this.cidr.size < 8) {
      throw new Error(`vSwitch CIDR ${cidrText} is smaller than a /29`);
    }
    this.firstUsable = this.cidr.network + 1;
    this.lastUsable = this.cidr.network + this.cidr.size - 4;
    this.gateway = this.cidr.network + this.cidr.size - 3;
    this.cursor = this.firstUsable;
  }

  get capacity(): number {
    return this.lastUsable - this.firstUsable + 1;
  }

  get available(): number {
    return this.capacity - this.used.size;
  }

  isReserved(ip: number): boolean {
    return cidrContains(this.cidr, ip) && (ip < this.firstUsable || ip > this.lastUsable);
  }

  isUsed(ip: number): boolean {
    return this.used.has(ip);
  }

  allocate(): number | null {
    if (this.available === 0) {
      return null;
    }
    for (let step = 0; step < this.capacity; step += 1) {
      const ip = this.firstUsable + ((this.cursor - this.firstUsable + step) % this.capacity);
      if (!this.used.has(ip)) {
        this.used.add(ip);
        this.cursor = ip === this.lastUsable ? this.firstUsable : ip + 1;
        return ip;
      }
    }
    return null;
  }

  /** All or nothing: either `count` addresses or null, leaving the pool untouched. */
  allocateMany(count: number): number[] | null {
    if (count > this.available) {
      return null;
    }
    const ips: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const ip = this.allocate();
      if (ip === null) {
        ips.forEach((taken) => this.release(taken));
        return null;
      }
      ips.push(ip);
    }
    return ips;
  }

  claim(ip: number): ClaimResult {
    if (!cidrContains(this.cidr, ip)) {
      return 'outside';
    }
    if (this.isReserved(ip)) {
      return 'reserved';
    }
    if (this.used.has(ip)) {
      return 'taken';
    }
    this.used.add(ip);
    return 'ok';
  }

  release(ip: number): boolean {
    return this.used.delete(ip);
  }
}
