import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per allocation, kept after release so that "who held this IP" has a quick answer. The two
 * partial unique indexes are the last line of defence: no IP and no (pod, container) is active twice, even
 * if two allocator replicas raced past every other check.
 */
@Entity({ name: 'allocations' })
@Index('allocations_active_ip_key', ['ip'], { unique: true, where: 'released_at IS NULL' })
@Index('allocations_active_pod_key', ['podUid', 'containerId'], { unique: true, where: 'released_at IS NULL' })
@Index('allocations_node_idx', ['node'])
@Index('allocations_pod_name_idx', ['podNamespace', 'podName'])
export class AllocationEntity {
  /** The id of the `IpAllocated` event. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  node: string;

  @Column({ type: 'inet' })
  ip: string;

  @Column({ name: 'eni_id', type: 'text' })
  eniId: string;

  @Column({ name: 'pod_namespace', type: 'text' })
  podNamespace: string;

  @Column({ name: 'pod_name', type: 'text' })
  podName: string;

  @Column({ name: 'pod_uid', type: 'text' })
  podUid: string;

  @Column({ name: 'container_id', type: 'text' })
  containerId: string;

  @Column({ name: 'owner_kind', type: 'text', nullable: true })
  ownerKind: string | null;

  @Column({ name: 'owner_name', type: 'text', nullable: true })
  ownerName: string | null;

  @Column({ name: 'owner_uid', type: 'text', nullable: true })
  ownerUid: string | null;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey: string;

  @Column({ name: 'allocated_at', type: 'timestamptz' })
  allocatedAt: Date;

  @Column({ name: 'release_requested_at', type: 'timestamptz', nullable: true })
  releaseRequestedAt: Date | null;

  @Column({ name: 'teardown_confirmed_at', type: 'timestamptz', nullable: true })
  teardownConfirmedAt: Date | null;

  @Column({ name: 'released_at', type: 'timestamptz', nullable: true })
  releasedAt: Date | null;

  @Column({ name: 'release_reason', type: 'text', nullable: true })
  releaseReason: string | null;

  @Column({ name: 'cooldown_until', type: 'timestamptz', nullable: true })
  cooldownUntil: Date | null;
}
