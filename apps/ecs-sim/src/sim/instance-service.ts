import { type VpcFabric } from '../vpc/vpc-fabric.js';
import { type EniLifecycle } from './eni-lifecycle.js';
import { type EniService } from './eni-service.js';
import { fabricEni, fabricInstance } from './fabric-views.js';
import { type SimEni, type SimInstance } from './sim-model.js';
import { newResourceId, type SimWorld } from './sim-world.js';

export interface CreateInstanceInput {
  instanceId?: string;
  instanceType: string;
  /** Defaults to the vSwitch's zone; if given it must match it. */
  zone?: string;
  vswitchId: string;
  /** The network namespace that plays this instance (for the netns VPC fabric). */
  netns?: string | null;
  securityGroupId?: string;
}

/** A problem with an admin request (not an OpenAPI error): answered as HTTP 400/404/409 on /admin. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * ECS instances exist in ecs-sim only so that ENIs have somewhere to attach; they are made through the admin
 * API, each with its primary ENI (device index 0) holding an address from the instance's vSwitch.
 */
export class InstanceService {
  constructor(
    private readonly world: SimWorld,
    private readonly enis: EniService,
    private readonly lifecycle: EniLifecycle,
    private readonly fabric: VpcFabric,
  ) {}

  async create(input: CreateInstanceInput): Promise<SimInstance> {
    const id = input.instanceId ?? newResourceId('i');
    const type = this.world.catalog.get(input.instanceType);
    const vswitch = this.world.vswitches.get(input.vswitchId);
    if (this.world.instances.has(id)) {
      throw new AdminError(409, `instance ${id} already exists`);
    }
    if (!type) {
      throw new AdminError(400, `unknown instance type ${input.instanceType}`);
    }
    if (!vswitch) {
      throw new AdminError(404, `unknown vSwitch ${input.vswitchId}`);
    }
    if (input.zone && input.zone !== vswitch.zoneId) {
      throw new AdminError(400, `vSwitch ${vswitch.id} is in zone ${vswitch.zoneId}, not ${input.zone}`);
    }
    const primary = this.createPrimaryEni(id, vswitch.id, input.securityGroupId);
    const instance: SimInstance = {
      id,
      type,
      zoneId: vswitch.zoneId,
      vswitchId: vswitch.id,
      netns: input.netns ?? null,
      primaryEniId: primary.id,
      creationTime: primary.creationTime,
    };
    this.world.instances.set(id, instance);
    await this.plugPrimary(instance);
    return instance;
  }

  /** Releases the instance: its secondary ENIs fall back to Available, its primary ENI is deleted. */
  async delete(instanceId: string): Promise<void> {
    const instance = this.world.instances.get(instanceId);
    if (!instance) {
      throw new AdminError(404, `unknown instance ${instanceId}`);
    }
    const attached = [...this.world.enis.values()].filter((e) => e.instanceId === instance.id);
    // Members first, then their trunks and the other ENIs, the primary last.
    attached.sort((a, b) => rank(a.type) - rank(b.type));
    for (const eni of attached) {
      await this.lifecycle.forceDetach(eni, instance);
      if (eni.id === instance.primaryEniId) {
        this.enis.remove(eni);
      }
    }
    this.world.instances.delete(instance.id);
  }

  private createPrimaryEni(instanceId: string, vswitchId: string, securityGroupId = 'sg-simdefault'): SimEni {
    const primary = this.enis.create({
      vswitchId,
      securityGroupIds: [securityGroupId],
      tags: [],
      name: '',
      description: `primary ENI of ${instanceId}`,
      primaryIp: null,
      secondaryIps: [],
      secondaryCount: 0,
      type: 'Primary',
    });
    return Object.assign(primary, { status: 'InUse', instanceId, deviceIndex: 0 });
  }

  private async plugPrimary(instance: SimInstance): Promise<void> {
    const primary = this.world.requireEni(instance.primaryEniId);
    const view = fabricEni(this.world, primary);
    try {
      await this.fabric.attachEni(fabricInstance(instance), view, 0);
      await this.fabric.assignIps(view, [primary.primaryIp]);
    } catch (error) {
      this.world.instances.delete(instance.id);
      primary.status = 'Available';
      primary.instanceId = null;
      this.enis.remove(primary);
      throw new AdminError(500, `the VPC fabric could not plug instance ${instance.id}: ${String(error)}`);
    }
  }
}

function rank(type: string): number {
  return type === 'Member' ? 0 : type === 'Primary' ? 2 : 1;
}
