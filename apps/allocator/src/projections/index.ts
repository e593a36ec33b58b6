import { AllocationEntity } from './allocation.entity.js';
import { AddressesProjection } from './addresses.projection.js';
import { EniEntity } from './eni.entity.js';
import { EnisProjection } from './enis.projection.js';
import { IpEntity } from './ip.entity.js';
import { NodeEntity } from './node.entity.js';
import { NodesProjection } from './nodes.projection.js';
import { VSwitchEntity } from './vswitch.entity.js';
import { VSwitchesProjection } from './vswitches.projection.js';
import type { Projection } from '@ipledger/event-store';

export const PROJECTION_ENTITIES = [NodeEntity, EniEntity, IpEntity, AllocationEntity, VSwitchEntity];

/** The allocator's projections, in the order they run: `addresses` reads what `enis` wrote for the same event. */
export function createProjections(): Projection[] {
  return [new NodesProjection(), new EnisProjection(), new AddressesProjection(), new VSwitchesProjection()];
}
