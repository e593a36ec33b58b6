import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A registered node (ECS instance), from `NodeRegistered`. */
@Entity({ name: 'nodes' })
export class NodeEntity {
  @PrimaryColumn({ type: 'text' })
  name: string;

  @Column({ name: 'instance_id', type: 'text' })
  instanceId: string;

  @Column({ name: 'instance_type', type: 'text' })
  instanceType: string;

  @Column({ type: 'text' })
  zone: string;

  @Column({ type: 'text' })
  mode: string;

  /** The instance type's limits (InstanceLimits), as registered. */
  @Column({ type: 'jsonb' })
  limits: Record<string, unknown>;

  @Column({ name: 'max_pods', type: 'integer' })
  maxPods: number;

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt: Date;
}
