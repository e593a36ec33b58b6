export { startEcsSim, type RunningEcsSim } from './start-ecs-sim.js';
export { EcsSimAdmin } from './admin/ecs-sim-admin.js';
export type { EniState, InstanceState, SimStateSnapshot, VSwitchState } from './admin/state-views.js';
export { DEFAULT_REGION_ID, DEFAULT_VPC, DEFAULT_VSWITCHES, type EcsSimOptions } from './config/ecs-sim-options.js';
export { DEFAULT_RUNTIME_CONFIG, DEFAULT_THROTTLE_LIMITS, type SimRuntimeConfig } from './config/sim-config.js';
export { DEFAULT_INSTANCE_TYPES, type InstanceTypeSpec } from './catalog/instance-type-catalog.js';
export type { CallCounts, CallCountsByApi } from './control/call-counters.js';
export type { FaultConfig, FaultRule } from './control/fault-injector.js';
export { API_NAMES, type ApiName } from './api/api-names.js';
export type { CreateInstanceInput } from './sim/instance-service.js';
export type { VSwitchSpec } from './sim/sim-world.js';
export {
  NoopVpcFabric,
  type VpcFabric,
  type FabricEni,
  type FabricInstance,
  type FabricVSwitch,
} from './vpc/vpc-fabric.js';
