// Application answers → proto replies, field by field (snake_case, every field set).
import type * as pb from '@ipledger/proto';
import {
  type AllocationResult,
  type EniView,
  type HistoryEntryView,
  type NodeView,
  type PoolView,
  type ReleaseResult,
} from '../ports/index.js';

export function toAllocationMessage(result: AllocationResult): pb.Allocation {
  return {
    pod: { namespace: result.pod.namespace, name: result.pod.name, uid: result.pod.uid },
    node: result.node,
    ip: result.ip,
    ipv6: result.ipv6,
    prefix_length: result.prefixLength,
    gateway: result.gateway,
    vswitch_id: result.vswitchId,
    vswitch_cidr: result.vswitchCidr,
    eni: { id: result.eni.id, mac: result.eni.mac, trunk: result.eni.trunk, vlan_id: result.eni.vlanId },
    mode: result.mode,
    service_cidr: result.serviceCidr,
    fixed: result.fixed,
    container_id: result.containerId,
    allocated_at: result.allocatedAt,
  };
}

export function toReleaseIpReply(result: ReleaseResult): pb.ReleaseIpReply {
  return { released: result.released, ip: result.ip, held_until: result.heldUntil };
}

export function toEniViewMessage(eni: EniView): pb.EniView {
  return {
    id: eni.id,
    mac: eni.mac,
    vswitch_id: eni.vswitchId,
    vswitch_cidr: eni.vswitchCidr,
    gateway: eni.gateway,
    primary_ip: eni.primaryIp,
    status: eni.status,
    ips: [...eni.ips],
    device_index: eni.deviceIndex,
    trunk: eni.trunk,
  };
}

export function toPoolViewMessage(pool: PoolView): pb.PoolView {
  return {
    node: pool.node,
    idle: pool.idle,
    allocated: pool.allocated,
    cooling: pool.cooling,
    releasing: pool.releasing,
    enis: pool.enis.map(toEniViewMessage),
    targets: { min_pool_size: pool.targets.minPoolSize, max_pool_size: pool.targets.maxPoolSize },
    max_pods: pool.maxPods,
  };
}

export function toNodeViewMessage(node: NodeView): pb.NodeView {
  return {
    node: node.node,
    instance_id: node.instanceId,
    instance_type: node.instanceType,
    zone: node.zone,
    mode: node.mode,
    limits: {
      adapters: node.limits.adapters,
      ipv4_per_adapter: node.limits.ipv4PerAdapter,
      ipv6_per_adapter: node.limits.ipv6PerAdapter,
      total_adapters: node.limits.totalAdapters,
      member_adapters: node.limits.memberAdapters,
      trunk_supported: node.limits.trunkSupported,
    },
    max_pods: node.maxPods,
    enis: node.enis.map(toEniViewMessage),
    pool: toPoolViewMessage(node.pool),
    registered_at: node.registeredAt,
  };
}

export function toHistoryEntryMessage(entry: HistoryEntryView): pb.HistoryEntry {
  return { position: entry.position, stream: entry.stream, type: entry.type, at: entry.at, data_json: entry.dataJson };
}
