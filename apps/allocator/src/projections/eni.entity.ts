import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Where an ENI is in its life; `Available` = created but not attached (or detached again). */
export type EniRowStatus = 'Available' | 'Attaching' | 'InUse' | 'Detaching';

/** An ENI the ledger created and has not deleted yet. */
@Entity({ name: 'enis' })
@Index('enis_node_idx', ['node'])
export class EniEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  node: string;

  @Column({ type: 'text' })
  mac: string;

  @Column({ name: 'vswitch_id', type: 'text' })
  vswitchId: string;

  @Column({ name: 'vswitch_cidr', type: 'text' })
  vswitchCidr: string;

  @Column({ type: 'text' })
  gateway: string;

  @Column({ name: 'primary_ip', type: 'inet' })
  primaryIp: string;

  @Column({ type: 'text' })
  status: EniRowStatus;

  @Column({ name: 'device_index', type: 'integer', nullable: true })
  deviceIndex: number | null;

  @Column({ type: 'boolean' })
  trunk: boolean;

  @Column({ name: 'security_group_ids', type: 'text', array: true })
  securityGroupIds: string[];

  @Column({ name: 'client_token', type: 'text' })
  clientToken: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
