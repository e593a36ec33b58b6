import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * idle: free to hand out; allocated: a pod holds it; releasing: the pod is going away but the IP is still
 * held; cooling: released, not reusable before `cooldown_until`; unassigning: being given back to the cloud.
 */
export type IpState = 'idle' | 'allocated' | 'releasing' | 'cooling' | 'unassigning';

/** Every private IP that one of a node's ENIs holds. */
@Entity({ name: 'ips' })
@Index('ips_node_state_idx', ['node', 'state'])
@Index('ips_eni_idx', ['eniId'])
export class IpEntity {
  @PrimaryColumn({ type: 'inet' })
  ip: string;

  @Column({ type: 'text' })
  node: string;

  @Column({ name: 'eni_id', type: 'text' })
  eniId: string;

  @Column({ name: 'vswitch_id', type: 'text' })
  vswitchId: string;

  /** The ENI's primary address (goes away with the ENI, never unassigned on its own). */
  @Column({ name: 'is_primary', type: 'boolean' })
  isPrimary: boolean;

  @Column({ type: 'text' })
  state: IpState;

  @Column({ name: 'cooldown_until', type: 'timestamptz', nullable: true })
  cooldownUntil: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
