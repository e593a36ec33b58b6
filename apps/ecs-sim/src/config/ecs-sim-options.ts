import { type InstanceTypeSpec } from '../catalog/instance-type-catalog.js';
import { type FaultConfig } from '../control/fault-injector.js';
import { type CreateInstanceInput } from '../sim/instance-service.js';
import { type VSwitchSpec } from '../sim/sim-world.js';
import { type VpcFabric } from '../vpc/vpc-fabric.js';
import { type SimRuntimeConfig } from './sim-config.js';

export interface EcsSimOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port (see the returned endpoint). */
  port?: number;
  /** Default cn-hangzhou. */
  regionId?: string;
  /** Default vpc-sim, 10.0.0.0/8. */
  vpc?: { id?: string; cidr?: string };
  /** Default DEFAULT_VSWITCHES: four /24s over two zones and one small /28. */
  vswitches?: VSwitchSpec[];
  /** Added to the built-in catalog; an entry with a known id replaces the built-in one. */
  instanceTypes?: InstanceTypeSpec[];
  /** Created at start, each with its primary ENI. */
  instances?: CreateInstanceInput[];
  /** Seed of the fault PRNG (default 1). */
  seed?: number;
  faults?: Partial<Omit<FaultConfig, 'seed'>>;
  config?: Partial<SimRuntimeConfig>;
  /** Default NoopVpcFabric. ecs-sim closes it on close(). */
  fabric?: VpcFabric;
  /** Clock for throttling windows (default Date.now). */
  now?: () => number;
  /** Where ecs-sim reports internal trouble (default: stderr). */
  log?: (line: string) => void;
}

export const DEFAULT_REGION_ID = 'cn-hangzhou';
export const DEFAULT_VPC = { id: 'vpc-sim', cidr: '10.0.0.0/8' };

export const DEFAULT_VSWITCHES: VSwitchSpec[] = [
  { id: 'vsw-simh1', zoneId: 'cn-hangzhou-h', cidr: '10.0.1.0/24' },
  { id: 'vsw-simh2', zoneId: 'cn-hangzhou-h', cidr: '10.0.2.0/24' },
  { id: 'vsw-simi1', zoneId: 'cn-hangzhou-i', cidr: '10.0.3.0/24' },
  { id: 'vsw-simi2', zoneId: 'cn-hangzhou-i', cidr: '10.0.4.0/24' },
  // 16 addresses, 12 usable: for exhaustion tests.
  { id: 'vsw-simhsmall', zoneId: 'cn-hangzhou-h', cidr: '10.0.255.240/28' },
];
