export { CloudRateBucketEntity } from './cloud-rate-bucket.entity.js';
export { PostgresRateLimiter, type RateLimitsSource } from './postgres-rate-limiter.js';
