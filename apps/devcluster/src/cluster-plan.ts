// What the dev cluster is made of: its nodes (instance types and zones as a small real cluster might mix
// them) and the eni-config its allocator runs with. Pure.

export interface NodePlan {
  name: string;
  instanceType: string;
  zone: string;
  /** The vSwitch of the instance's primary NIC (pod ENIs come from the eni-config's vSwitches). */
  primaryVSwitch: string;
}

const SHAPES: readonly Omit<NodePlan, 'name'>[] = [
  { instanceType: 'ecs.g7.xlarge', zone: 'cn-hangzhou-h', primaryVSwitch: 'vsw-sim-h1' },
  { instanceType: 'ecs.g7.large', zone: 'cn-hangzhou-h', primaryVSwitch: 'vsw-sim-h1' },
  { instanceType: 'ecs.g7.2xlarge', zone: 'cn-hangzhou-i', primaryVSwitch: 'vsw-sim-i1' },
];

export function nodePlan(count: number): NodePlan[] {
  return Array.from({ length: count }, (_, i) => ({ name: `dev-node-${i + 1}`, ...SHAPES[i % SHAPES.length] }));
}

export const DEV_CLUSTER_ID = 'ipledger-dev';

/**
 * The dev cluster's eni_conf: pod ENIs on the second vSwitch of each zone (instances sit on the first), a
 * small warm pool so that its growth shows, and a short cooldown (the default is 60 s) so that released
 * addresses come back while the user watches.
 */
export function devEniConfig(): Record<string, unknown> {
  return {
    cluster_id: DEV_CLUSTER_ID,
    vswitches: { 'cn-hangzhou-h': ['vsw-sim-h2'], 'cn-hangzhou-i': ['vsw-sim-i2'] },
    vswitch_selection_policy: 'ordered',
    security_group: 'sg-sim-default',
    service_cidr: '172.21.0.0/20',
    min_pool_size: 2,
    max_pool_size: 8,
    ip_cooldown: '20s',
  };
}
