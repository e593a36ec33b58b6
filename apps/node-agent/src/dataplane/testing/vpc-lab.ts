// A small simulated VPC for the dataplane integration specs: the netns fabric ecs-sim uses, plus "node"
// namespaces that each get a primary ENI (eth0, configured as the instance image would) and one secondary
// ENI (eth1) whose secondary IPs go to pods.
import { NetnsVpcFabric } from '../../../../ecs-sim/src/vpc/netns-vpc-fabric.js';
import { type FabricEni, type FabricVSwitch } from '../../../../ecs-sim/src/vpc/vpc-fabric.js';
import { type EniSpec } from '../dataplane.js';
import { type NetnsLab } from './netns-lab.js';

export const vswitch = (id: string, third: number, octet2 = 77): FabricVSwitch => ({
  id,
  cidr: `10.${octet2}.${third}.0/24`,
  gateway: `10.${octet2}.${third}.253`,
});

let macCounter = 0;
function labMac(lab: NetnsLab): string {
  macCounter += 1;
  return `00:16:3e:${lab.id.slice(0, 2)}:${lab.id.slice(2, 4)}:${macCounter.toString(16).padStart(2, '0')}`;
}

export interface LabNode {
  netns: string;
  primary: FabricEni;
  secondary: FabricEni;
}

export async function addNode(
  lab: NetnsLab,
  fabric: NetnsVpcFabric,
  purpose: string,
  primary: { vswitch: FabricVSwitch; ip: string },
  secondary: { vswitch: FabricVSwitch; ip: string; podIps: string[] },
): Promise<LabNode> {
  const netns = await lab.addNetns(purpose);
  const instance = { instanceId: `i-${purpose}`, netns };
  const eni0: FabricEni = {
    eniId: `eni-${purpose}-0`,
    mac: labMac(lab),
    vswitch: primary.vswitch,
    primaryIp: primary.ip,
  };
  const eni1: FabricEni = {
    eniId: `eni-${purpose}-1`,
    mac: labMac(lab),
    vswitch: secondary.vswitch,
    primaryIp: secondary.ip,
  };
  await fabric.attachEni(instance, eni0, 0);
  await fabric.assignIps(eni0, [eni0.primaryIp]);
  await fabric.attachEni(instance, eni1, 1);
  await fabric.assignIps(eni1, [eni1.primaryIp, ...secondary.podIps]);
  return { netns, primary: eni0, secondary: eni1 };
}

export const eniSpec = (eni: FabricEni): EniSpec => ({
  mac: eni.mac,
  gateway: eni.vswitch.gateway,
  vswitchCidr: eni.vswitch.cidr,
  primaryIp: eni.primaryIp,
});

export { NetnsVpcFabric };
