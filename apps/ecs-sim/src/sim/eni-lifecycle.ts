import { type VpcFabric } from '../vpc/vpc-fabric.js';
import { apiErrors } from './api-error.js';
import { fabricEni, fabricInstance } from './fabric-views.js';
import { eniIps, type SimEni, type SimInstance } from './sim-model.js';
import { type SimWorld } from './sim-world.js';
import { type TransitionScheduler } from './transition-scheduler.js';

export interface LifecycleTiming {
  attachDelayMs: number;
  detachDelayMs: number;
}

export interface LifecycleDeps {
  world: SimWorld;
  fabric: VpcFabric;
  scheduler: TransitionScheduler;
  timing: () => LifecycleTiming;
  /** Drawn once per attachment; true makes the attachment fail (the ENI falls back to Available). */
  failAttach: () => boolean;
  log: (line: string) => void;
}

/**
 * Attachment and detachment: Available → Attaching → InUse → Detaching → Available. The API call only starts
 * the change; the second half runs after a delay, after the VPC fabric has done its part, as on ECS where the
 * caller polls DescribeNetworkInterfaces. A failed attachment leaves the ENI Available, as the ECS docs describe.
 */
export class EniLifecycle {
  constructor(private readonly deps: LifecycleDeps) {}

  attach(eniId: string, instanceId: string, trunkEniId: string | null): void {
    const { world } = this.deps;
    const eni = world.requireEni(eniId);
    const instance = world.requireInstance(instanceId, 403);
    if (eni.status !== 'Available') {
      throw apiErrors.invalidEniState('Available', eni.status);
    }
    if (eni.zoneId !== instance.zoneId) {
      throw apiErrors.zoneMismatch();
    }
    if (eniIps(eni).length > instance.type.eniPrivateIpAddressQuantity) {
      throw apiErrors.ipv4CountExceeded(instance.type.eniPrivateIpAddressQuantity);
    }
    if (trunkEniId) {
      this.attachMember(eni, instance, trunkEniId);
      return;
    }
    const slots = world.enisOnInstance(instance.id);
    if (slots.length >= instance.type.eniQuantity) {
      throw apiErrors.eniPerInstanceLimit(instance.id, instance.type.eniQuantity);
    }
    if (eni.type === 'Trunk' && !instance.type.eniTrunkSupported) {
      throw apiErrors.invalidEniType(`Instance type ${instance.type.instanceTypeId} does not support trunk ENIs.`);
    }
    eni.status = 'Attaching';
    eni.instanceId = instance.id;
    eni.deviceIndex = lowestFreeIndex(slots.map((e) => e.deviceIndex));
    this.deps.scheduler.after(this.deps.timing().attachDelayMs, () => this.completeAttach(eni, instance));
  }

  detach(eniId: string, instanceId: string): void {
    const { world } = this.deps;
    const eni = world.requireEni(eniId);
    world.requireInstance(instanceId);
    if (eni.type === 'Primary') {
      throw apiErrors.detachPrimary();
    }
    if (eni.instanceId !== instanceId || (eni.status !== 'InUse' && eni.status !== 'Detaching')) {
      throw apiErrors.invalidEniState('InUse', eni.instanceId === instanceId ? eni.status : 'Available');
    }
    if (eni.type === 'Trunk' && world.membersOfTrunk(eni.id).length > 0) {
      throw apiErrors.invalidEniType('A trunk ENI with member ENIs cannot be detached.');
    }
    if (eni.status === 'Detaching') {
      return;
    }
    eni.status = 'Detaching';
    this.deps.scheduler.after(this.deps.timing().detachDelayMs, () => this.completeDetach(eni));
  }

  /** Immediately unplugs an attached ENI, as when its instance is released. */
  async forceDetach(eni: SimEni, instance: SimInstance): Promise<void> {
    if (eni.type !== 'Member' && (eni.status === 'InUse' || eni.status === 'Detaching')) {
      await this.unplug(eni, instance);
    }
    resetAttachment(eni);
  }

  private attachMember(eni: SimEni, instance: SimInstance, trunkEniId: string): void {
    const { world } = this.deps;
    const trunk = world.requireEni(trunkEniId);
    if (trunk.type !== 'Trunk' || trunk.instanceId !== instance.id || trunk.status !== 'InUse') {
      throw apiErrors.invalidEniType(`ENI ${trunkEniId} is not a trunk ENI in use on ${instance.id}.`);
    }
    if (eni.type !== 'Secondary') {
      throw apiErrors.invalidEniType(`Only a secondary ENI can become a member of a trunk ENI.`);
    }
    const members = world.membersOfTrunk(trunk.id);
    const limit = instance.type.eniTotalQuantity - instance.type.eniQuantity;
    if (members.length >= limit) {
      throw apiErrors.eniPerInstanceLimit(instance.id, instance.type.eniTotalQuantity);
    }
    eni.status = 'Attaching';
    eni.instanceId = instance.id;
    eni.type = 'Member';
    eni.trunkEniId = trunk.id;
    eni.deviceIndex = lowestFreeIndex(members.map((m) => m.deviceIndex));
    this.deps.scheduler.after(this.deps.timing().attachDelayMs, () => this.completeAttach(eni, instance));
  }

  private async completeAttach(eni: SimEni, instance: SimInstance): Promise<void> {
    if (eni.status !== 'Attaching' || eni.instanceId !== instance.id) {
      return;
    }
    try {
      if (this.deps.failAttach()) {
        throw new Error('injected attachment failure');
      }
      if (eni.type !== 'Member') {
        await this.plug(eni, instance);
      }
      eni.status = 'InUse';
    } catch (error) {
      this.deps.log(`attach ${eni.id} to ${instance.id} failed: ${String(error)}`);
      if (eni.type !== 'Member') {
        await this.deps.fabric.detachEni(fabricInstance(instance), fabricEni(this.deps.world, eni)).catch(() => {});
      }
      resetAttachment(eni);
    }
  }

  private async completeDetach(eni: SimEni): Promise<void> {
    const instance = eni.instanceId ? this.deps.world.instances.get(eni.instanceId) : undefined;
    if (eni.status !== 'Detaching' || !instance) {
      return;
    }
    if (eni.type !== 'Member') {
      await this.unplug(eni, instance).catch((error: unknown) =>
        this.deps.log(`detach ${eni.id} from ${instance.id}: fabric failed: ${String(error)}`),
      );
    }
    resetAttachment(eni);
  }

  private async plug(eni: SimEni, instance: SimInstance): Promise<void> {
    const view = fabricEni(this.deps.world, eni);
    await this.deps.fabric.attachEni(fabricInstance(instance), view, eni.deviceIndex ?? 0);
    await this.deps.fabric.assignIps(view, eniIps(eni));
  }

  private async unplug(eni: SimEni, instance: SimInstance): Promise<void> {
    const view = fabricEni(this.deps.world, eni);
    await this.deps.fabric.unassignIps(view, eniIps(eni));
    await this.deps.fabric.detachEni(fabricInstance(instance), view);
  }
}

function resetAttachment(eni: SimEni): void {
  eni.status = 'Available';
  eni.instanceId = null;
  eni.deviceIndex = null;
  if (eni.type === 'Member') {
    eni.type = 'Secondary';
    eni.trunkEniId = null;
  }
}

function lowestFreeIndex(taken: (number | null)[]): number {
  let index = 1;
  while (taken.includes(index)) {
    index += 1;
  }
  return index;
}
