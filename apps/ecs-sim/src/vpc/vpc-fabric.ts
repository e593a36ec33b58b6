// What ecs-sim does to the (simulated) network when the cloud state changes. The default fabric does
// nothing; the netns fabric plugs ENIs into network namespaces so that pods really talk through a
// simulated VPC (DESIGN.md §9, "A VPC on one machine"). ecs-sim calls the fabric after each state change
// has been accepted and before it reports the change as done (e.g. before an ENI shows InUse).

export interface FabricVSwitch {
  id: string;
  cidr: string;
  gateway: string;
}

export interface FabricEni {
  eniId: string;
  mac: string;
  vswitch: FabricVSwitch;
  primaryIp: string;
}

export interface FabricInstance {
  instanceId: string;
  /** The network namespace that plays this instance, or null when the instance has no dataplane. */
  netns: string | null;
}

export interface VpcFabric {
  addVSwitch(vswitch: FabricVSwitch): Promise<void>;
  /** The instance sees a new NIC carrying the ENI's MAC, joined to the vSwitch. */
  attachEni(instance: FabricInstance, eni: FabricEni, deviceIndex: number): Promise<void>;
  detachEni(instance: FabricInstance, eni: FabricEni): Promise<void>;
  /** The VPC learns where the addresses live (permanent neighbour IP → ENI MAC). */
  assignIps(eni: FabricEni, ips: string[]): Promise<void>;
  unassignIps(eni: FabricEni, ips: string[]): Promise<void>;
  close(): Promise<void>;
}

export class NoopVpcFabric implements VpcFabric {
  async addVSwitch(): Promise<void> {}
  async attachEni(): Promise<void> {}
  async detachEni(): Promise<void> {}
  async assignIps(): Promise<void> {}
  async unassignIps(): Promise<void> {}
  async close(): Promise<void> {}
}
