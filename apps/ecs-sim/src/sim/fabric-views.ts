import { formatIpv4 } from '../net/ipv4.js';
import { type FabricEni, type FabricInstance, type FabricVSwitch } from '../vpc/vpc-fabric.js';
import { type SimEni, type SimInstance, type SimVSwitch } from './sim-model.js';
import { type SimWorld } from './sim-world.js';

export function fabricVSwitch(vswitch: SimVSwitch): FabricVSwitch {
  return { id: vswitch.id, cidr: vswitch.allocator.cidr.text, gateway: formatIpv4(vswitch.allocator.gateway) };
}

export function fabricEni(world: SimWorld, eni: SimEni): FabricEni {
  const vswitch = world.requireVSwitch(eni.vswitchId);
  return { eniId: eni.id, mac: eni.mac, vswitch: fabricVSwitch(vswitch), primaryIp: eni.primaryIp };
}

export function fabricInstance(instance: SimInstance): FabricInstance {
  return { instanceId: instance.id, netns: instance.netns };
}
