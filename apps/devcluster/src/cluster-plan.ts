// What the dev cluster is made of: its VPC's vSwitches, its nodes (instance types and zones as a small real
// cluster might mix them) and the eni-config its allocator runs with. Pure.
import { type VSwitchSpec } from '../../ecs-sim/src/index.js';

/**
 * Per zone one vSwitch for the instances' primary NICs and one for pod ENIs. Ids look like the cloud's
 * (`vsw-` and letters or digits), as the eni-config parser requires.
 */
export const DEV_VSWITCHES: VSwitchSpec[] = [
  { id: 'vsw-devhnodes', zoneId: 'cn-hangzhou-h', cidr: '10.0.0.0/24' },
  { id: 'vsw-devhpods', zoneId: 'cn-hangzhou-h', cidr: '10.0.1.0/24' },
  { id: 'vsw-devinodes', zoneId: 'cn-hangzhou-i', cidr: '10.0.16.0/24' },
  { id: 'vsw-devipods', zoneId: 'cn-hangzhou-i', cidr: '10.0.17.0/24' },
];

export interface NodePlan {
  name: string;
  instanceType: string;
  zone: string;
  /** The vSwitch of the instance's primary NIC (pod ENIs come from the eni-config's vSwitches). */
  primaryVSwitch: string;
}

const SHAPES: readonly Omit<NodePlan, 'name'>[] = [
  { instanceType: 'ecs.g7.xlarge', zone: 'cn-hangzhou-h', primaryVSwitch: 'vsw-devhnodes' },
  { instanceType: 'ecs.g7.large', zone: 'cn-hangzhou-h', primaryVSwitch: 'vsw-devhnodes' },
  { instanceType: 'ecs.g7.2xlarge', zone: 'cn-hangzhou-i', primaryVSwitch: 'vsw-devinodes' },
];

export function nodePlan(count: number): NodePlan[] {
  return Array.from({ length: count }, (_, i) => ({ name: `dev-node-${i + 1}`, ...SHAPES[i % SHAPES.length] }));
}

export const DEV_CLUSTER_ID = 'ipledger-dev';

/**
 * The dev cluster's eni_conf: pod ENIs on the pods vSwitch of each zone (instances sit on the nodes one), a
 * small warm pool so that its growth shows, and a short cooldown (the default is 60 s) so that released
 * addresses come back while the user watches.
 */
export function devEniConfig(): Record<string, unknown> {
  return {
    cluster_id: DEV_CLUSTER_ID,
    vswitches: { 'cn-hangzhou-h': ['vsw-devhpods'], 'cn-hangzhou-i': ['vsw-devipods'] },
    vswitch_selection_policy: 'ordered',
    security_group: 'sg-devcluster',
    service_cidr: '172.21.0.0/20',
    min_pool_size: 2,
    max_pool_size: 8,
    ip_cooldown: '20s',
  };
}
