import { type RequestParams } from '../http/request-params.js';
import { apiErrors } from '../sim/api-error.js';
import { type EniLifecycle } from '../sim/eni-lifecycle.js';
import { type EniService } from '../sim/eni-service.js';
import { type IpService } from '../sim/ip-service.js';
import { type SimWorld } from '../sim/sim-world.js';

export interface SimServices {
  world: SimWorld;
  enis: EniService;
  lifecycle: EniLifecycle;
  ips: IpService;
}

export type ActionResult = Record<string, unknown>;

export type ActionHandler = (params: RequestParams, sim: SimServices) => ActionResult | Promise<ActionResult>;

/** RegionId is mandatory on the ENI and vSwitch APIs; ecs-sim plays exactly one region. */
export function checkRegion(params: RequestParams, sim: SimServices): void {
  const regionId = params.requireString('RegionId');
  if (regionId !== sim.world.regionId) {
    throw apiErrors.regionNotFound(regionId);
  }
}
