import { type VpcFabric } from '../vpc/vpc-fabric.js';
import { ApiError, apiErrors } from './api-error.js';
import { fabricEni } from './fabric-views.js';
import { eniIps, type SimEni } from './sim-model.js';
import { type SimWorld } from './sim-world.js';

/** Per call on an ENI that is not attached (ECS API reference, AssignPrivateIpAddresses / Unassign...). */
export const MAX_IPS_PER_CALL_WHEN_AVAILABLE = 10;
/** A detached ENI holds at most its primary address and 49 secondary ones (CreateNetworkInterface notes). */
export const MAX_IPS_ON_DETACHED_ENI = 50;

export type AssignRequest = { count: number } | { ips: string[] };

/**
 * Secondary private addresses of an ENI. On an attached ENI the VPC fabric learns about the change before the
 * call returns; on a detached one it learns when the ENI is attached.
 */
export class IpService {
  constructor(
    private readonly world: SimWorld,
    private readonly fabric: VpcFabric,
    private readonly log: (line: string) => void,
  ) {}

  async assign(eniId: string, request: AssignRequest): Promise<string[]> {
    const eni = this.requireUsableEni(eniId);
    const count = 'count' in request ? request.count : request.ips.length;
    this.checkRoom(eni, count);
    const vswitch = this.world.requireVSwitch(eni.vswitchId);
    let ips: string[];
    if ('ips' in request) {
      this.world.claimIps(vswitch, request.ips);
      ips = request.ips;
    } else {
      ips = this.world.allocateIps(vswitch, count);
    }
    eni.secondaryIps.push(...ips);
    if (this.plugged(eni)) {
      try {
        await this.fabric.assignIps(fabricEni(this.world, eni), ips);
      } catch (error) {
        this.log(`assign on ${eni.id}: fabric failed: ${String(error)}`);
        eni.secondaryIps = eni.secondaryIps.filter((ip) => !ips.includes(ip));
        this.world.releaseIps(eni.vswitchId, ips);
        throw new ApiError('InternalError', 500, 'The request processing has failed due to some unknown error.');
      }
    }
    return ips;
  }

  async unassign(eniId: string, ips: string[]): Promise<void> {
    const eni = this.requireUsableEni(eniId);
    if (eni.status === 'Available' && ips.length > MAX_IPS_PER_CALL_WHEN_AVAILABLE) {
      throw apiErrors.invalidParameter('PrivateIpAddress.N', `at most ${MAX_IPS_PER_CALL_WHEN_AVAILABLE} per call`);
    }
    for (const ip of ips) {
      if (ip === eni.primaryIp) {
        throw apiErrors.invalidParameter('PrivateIpAddress.N', `${ip} is the primary address of ${eni.id}`);
      }
      if (!eni.secondaryIps.includes(ip)) {
        throw apiErrors.ipUnassigned(ip);
      }
    }
    eni.secondaryIps = eni.secondaryIps.filter((ip) => !ips.includes(ip));
    if (this.plugged(eni)) {
      // The VPC forgets the addresses before they return to the pool, so no one else can get them meanwhile.
      await this.fabric
        .unassignIps(fabricEni(this.world, eni), ips)
        .catch((error: unknown) => this.log(`unassign on ${eni.id}: fabric failed: ${String(error)}`));
    }
    this.world.releaseIps(eni.vswitchId, ips);
  }

  private requireUsableEni(eniId: string): SimEni {
    const eni = this.world.requireEni(eniId);
    if (eni.status !== 'Available' && eni.status !== 'InUse') {
      throw apiErrors.invalidEniState('Available or InUse', eni.status);
    }
    return eni;
  }

  private checkRoom(eni: SimEni, count: number): void {
    const held = eniIps(eni).length;
    if (eni.status === 'Available') {
      if (count > MAX_IPS_PER_CALL_WHEN_AVAILABLE) {
        throw apiErrors.invalidParameter(
          'SecondaryPrivateIpAddressCount',
          `at most ${MAX_IPS_PER_CALL_WHEN_AVAILABLE} per call on an ENI that is not attached`,
        );
      }
      if (held + count > MAX_IPS_ON_DETACHED_ENI) {
        throw apiErrors.ipv4CountExceeded(MAX_IPS_ON_DETACHED_ENI);
      }
      return;
    }
    const instance = eni.instanceId ? this.world.instances.get(eni.instanceId) : undefined;
    const limit = instance?.type.eniPrivateIpAddressQuantity ?? MAX_IPS_ON_DETACHED_ENI;
    if (held + count > limit) {
      throw apiErrors.ipv4CountExceeded(limit);
    }
  }

  private plugged(eni: SimEni): boolean {
    return eni.status === 'InUse' && eni.type !== 'Member';
  }
}
