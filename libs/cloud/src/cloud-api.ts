// The API names and default per-minute limits are shared with the config parser and ecs-sim, so they live in
// the dependency-free domain library.
export { CLOUD_API_NAMES, DEFAULT_RATE_LIMITS, type CloudApiName } from '@ipledger/domain';
