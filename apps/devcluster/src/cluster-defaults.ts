// What a local cluster looks like unless told otherwise: two zones, each with a vSwitch for instances and
// one for pod ENIs, and the eni-config the allocator gets (ids in the shapes the eni-config parser accepts).
import { type VSwitchSpec } from '../../ecs-sim/src/index.js';

export const DEFAULT_SERVICE_CIDR = '172.21.0.0/20';

/** Two zones, each with a vSwitch for instances (primary NICs) and one for pod ENIs. */
export const LOCAL_CLUSTER_VSWITCHES: VSwitchSpec[] = [
  { id: 'vsw-h1', zoneId: 'cn-hangzhou-h', cidr: '10.0.1.0/24' },
  { id: 'vsw-h2', zoneId: 'cn-hangzhou-h', cidr: '10.0.2.0/24' },
  { id: 'vsw-i1', zoneId: 'cn-hangzhou-i', cidr: '10.0.3.0/24' },
  { id: 'vsw-i2', zoneId: 'cn-hangzhou-i', cidr: '10.0.4.0/24' },
];

export function defaultEniConfig(prefix: string): Record<string, unknown> {
  return {
    cluster_id: prefix.replace(/[^a-z0-9-]/g, ''),
    vswitches: { 'cn-hangzhou-h': ['vsw-h2'], 'cn-hangzhou-i': ['vsw-i2'] },
    vswitch_selection_policy: 'ordered',
    security_group: 'sg-localcluster',
    service_cidr: DEFAULT_SERVICE_CIDR,
    min_pool_size: 0,
    max_pool_size: 5,
  };
}
