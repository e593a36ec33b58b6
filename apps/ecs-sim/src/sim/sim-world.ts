import { randomBytes, randomUUID } from 'node:crypto';
import { type InstanceTypeCatalog } from '../catalog/instance-type-catalog.js';
import { CidrAllocator } from '../net/cidr-allocator.js';
import { type Cidr, cidrsOverlap, cidrWithin, formatIpv4, parseCidr, parseIpv4 } from '../net/ipv4.js';
import { ApiError, apiErrors } from './api-error.js';
import { type SimEni, type SimInstance, type SimVSwitch } from './sim-model.js';

export interface VSwitchSpec {
  id: string;
  zoneId: string;
  cidr: string;
  name?: string;
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** All resources of the simulated region, and the lookups every API needs. No timers, no I/O. */
export class SimWorld {
  readonly vswitches = new Map<string, SimVSwitch>();
  readonly instances = new Map<string, SimInstance>();
  readonly enis = new Map<string, SimEni>();
  private readonly vpcCidr: Cidr;
  private readonly macs = new Set<string>();
  private eniSeq = 0;

  constructor(
    readonly regionId: string,
    readonly vpcId: string,
    vpcCidr: string,
    readonly catalog: InstanceTypeCatalog,
  ) {
    this.vpcCidr = parseCidr(vpcCidr);
  }

  get vpcCidrText(): string {
    return this.vpcCidr.text;
  }

  addVSwitch(spec: VSwitchSpec, now: Date): SimVSwitch {
    if (this.vswitches.has(spec.id)) {
      throw new Error(`vSwitch ${spec.id} already exists`);
    }
    const allocator = new CidrAllocator(spec.cidr);
    if (!cidrWithin(allocator.cidr, this.vpcCidr)) {
      throw new Error(`vSwitch CIDR ${spec.cidr} is outside the VPC CIDR ${this.vpcCidr.text}`);
    }
    const clash = [...this.vswitches.values()].find((v) => cidrsOverlap(v.allocator.cidr, allocator.cidr));
    if (clash) {
      throw new Error(`vSwitch CIDR ${spec.cidr} overlaps ${clash.id} (${clash.allocator.cidr.text})`);
    }
    const vswitch: SimVSwitch = {
      id: spec.id,
      name: spec.name ?? spec.id,
      vpcId: this.vpcId,
      zoneId: spec.zoneId,
      allocator,
      exhausted: false,
      creationTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    this.vswitches.set(spec.id, vswitch);
    return vswitch;
  }

  requireVSwitch(id: string): SimVSwitch {
    const vswitch = this.vswitches.get(id);
    if (!vswitch) {
      throw apiErrors.vswitchNotFound(id);
    }
    return vswitch;
  }

  requireEni(id: string): SimEni {
    const eni = this.enis.get(id);
    if (!eni) {
      throw apiErrors.eniNotFound(id);
    }
    return eni;
  }

  requireInstance(id: string, status = 404): SimInstance {
    const instance = this.instances.get(id);
    if (!instance) {
      throw apiErrors.instanceNotFound(id, status);
    }
    return instance;
  }

  /** ENIs that occupy one of the instance's ENI slots (attaching, attached or detaching; members excluded). */
  enisOnInstance(instanceId: string): SimEni[] {
    return [...this.enis.values()].filter((e) => e.instanceId === instanceId && e.type !== 'Member');
  }

  membersOfTrunk(trunkEniId: string): SimEni[] {
    return [...this.enis.values()].filter((e) => e.trunkEniId === trunkEniId);
  }

  allocateIps(vswitch: SimVSwitch, count: number): string[] {
    if (count === 0) {
      return [];
    }
    const ips = vswitch.exhausted ? null : vswitch.allocator.allocateMany(count);
    if (ips === null) {
      throw apiErrors.ipNotEnough(vswitch.id);
    }
    return ips.map(formatIpv4);
  }

  /** Claims the given addresses all or nothing. */
  claimIps(vswitch: SimVSwitch, ips: string[]): void {
    if (ips.length > 0 && vswitch.exhausted) {
      throw apiErrors.ipNotEnough(vswitch.id);
    }
    const claimed: number[] = [];
    try {
      ips.forEach((text) => claimed.push(this.claimIp(vswitch, text)));
    } catch (error) {
      claimed.forEach((ip) => vswitch.allocator.release(ip));
      throw error;
    }
  }

  releaseIps(vswitchId: string, ips: string[]): void {
    const vswitch = this.vswitches.get(vswitchId);
    ips.forEach((text) => {
      const ip = parseIpv4(text);
      if (vswitch && ip !== null) {
        vswitch.allocator.release(ip);
      }
    });
  }

  nextEniSeq(): number {
    this.eniSeq += 1;
    return this.eniSeq;
  }

  newMac(): string {
    for (;;) {
      const mac = ['00', '16', '3e', ...[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
      if (!this.macs.has(mac)) {
        this.macs.add(mac);
        return mac;
      }
    }
  }

  private claimIp(vswitch: SimVSwitch, text: string): number {
    const ip = parseIpv4(text);
    if (ip === null) {
      throw apiErrors.invalidParameter('PrivateIpAddress', `"${text}" is not an IPv4 address`);
    }
    const result = vswitch.allocator.claim(ip);
    switch (result) {
      case 'ok':
        return ip;
      case 'outside':
      case 'reserved':
        throw apiErrors.ipInvalid(text, vswitch.allocator.cidr.text);
      case 'taken':
        throw apiErrors.ipAssigned(text);
    }
  }
}

/** Resource ids shaped like the cloud's: a prefix and 20 lowercase alphanumerics. */
export function newResourceId(prefix: string): string {
  const bytes = randomBytes(20);
  return `${prefix}-${[...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}`;
}

export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
