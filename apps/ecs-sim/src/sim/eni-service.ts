import { apiErrors } from './api-error.js';
import { eniIps, type SimEni, type SimEniType, type SimVSwitch } from './sim-model.js';
import { newResourceId, type SimWorld } from './sim-world.js';

export interface CreateEniCommand {
  vswitchId: string;
  securityGroupIds: string[];
  tags: [string, string][];
  name: string;
  description: string;
  primaryIp: string | null;
  secondaryIps: string[];
  secondaryCount: number;
  type: Extract<SimEniType, 'Secondary' | 'Trunk' | 'Primary'>;
}

/** Creation and deletion of ENIs: synchronous on ECS, the ENI is Available as soon as the call returns. */
export class EniService {
  constructor(
    private readonly world: SimWorld,
    private readonly now: () => Date,
  ) {}

  create(command: CreateEniCommand): SimEni {
    const vswitch = this.world.requireVSwitch(command.vswitchId);
    const ips = this.takeAddresses(vswitch, command);
    const [primaryIp = '', ...secondaryIps] = ips;
    const eni: SimEni = {
      id: newResourceId('eni'),
      seq: this.world.nextEniSeq(),
      mac: this.world.newMac(),
      vswitchId: vswitch.id,
      zoneId: vswitch.zoneId,
      vpcId: vswitch.vpcId,
      type: command.type,
      status: 'Available',
      instanceId: null,
      deviceIndex: null,
      trunkEniId: null,
      primaryIp,
      secondaryIps,
      securityGroupIds: command.securityGroupIds,
      tags: new Map(command.tags),
      name: command.name,
      description: command.description,
      creationTime: this.now()
        .toISOString()
        .replace(/\.\d+Z$/, 'Z'),
    };
    this.world.enis.set(eni.id, eni);
    return eni;
  }

  delete(eniId: string): void {
    const eni = this.world.requireEni(eniId);
    if (eni.status !== 'Available' || eni.instanceId !== null) {
      throw apiErrors.invalidEniState('Available', eni.status);
    }
    this.remove(eni);
  }

  /** Drops the ENI and returns its addresses to the vSwitch. */
  remove(eni: SimEni): void {
    this.world.releaseIps(eni.vswitchId, eniIps(eni));
    this.world.enis.delete(eni.id);
  }

  /** Explicit addresses first, then as many free ones as asked for; all or nothing. */
  private takeAddresses(vswitch: SimVSwitch, command: CreateEniCommand): string[] {
    const explicit = [...(command.primaryIp ? [command.primaryIp] : []), ...command.secondaryIps];
    this.world.claimIps(vswitch, explicit);
    try {
      const allocated = this.world.allocateIps(vswitch, (command.primaryIp ? 0 : 1) + command.secondaryCount);
      const primary = command.primaryIp ?? allocated.shift() ?? '';
      return [primary, ...command.secondaryIps, ...allocated];
    } catch (error) {
      this.world.releaseIps(vswitch.id, explicit);
      throw error;
    }
  }
}
