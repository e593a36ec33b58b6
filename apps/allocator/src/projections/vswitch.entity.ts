import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What the ledger saw of a vSwitch: its last observed free addresses and whether it is blocked. */
@Entity({ name: 'vswitches' })
export class VSwitchEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  zone: string;

  @Column({ type: 'text', nullable: true })
  cidr: string | null;

  @Column({ name: 'available_ip_count', type: 'integer', nullable: true })
  availableIpCount: number | null;

  @Column({ name: 'observed_at', type: 'timestamptz', nullable: true })
  observedAt: Date | null;

  @Column({ name: 'blocked_until', type: 'timestamptz', nullable: true })
  blockedUntil: Date | null;

  @Column({ name: 'blocked_reason', type: 'text', nullable: true })
  blockedReason: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
