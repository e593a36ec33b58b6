import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One cloud API's token bucket, shared by all allocator replicas (migrations/…-cloud-rate-buckets.ts). The
 * limiter reads and writes it in SQL (postgres-rate-limiter.ts); the entity is here so that the allocator's
 * data source checks the table against it.
 */
@Entity({ name: 'cloud_rate_buckets' })
export class CloudRateBucketEntity {
  /** The ECS API name, e.g. CreateNetworkInterface. */
  @PrimaryColumn({ type: 'text' })
  api: string;

  /** Tokens in the bucket as of `refilledAt`; fractional while refilling. */
  @Column({ type: 'double precision' })
  tokens: number;

  /** The database's clock when `tokens` was last brought up to date. */
  @Column({ name: 'refilled_at', type: 'timestamptz' })
  refilledAt: Date;

  /** Bucket size and refill rate: calls per minute, from the eni-config in force at the last take. */
  @Column({ name: 'per_minute', type: 'integer' })
  perMinute: number;
}
