export * from './postgres.config.js';
export { createTestDatabase, type TestDatabase } from './test-database.js';
export { migrationsHash } from './template-database.js';
export * from './nats-server.js';
export { bundleScript } from './child-script.js';
export { runCni, type RunCniOptions, type RunCniOutcome } from './run-cni.js';
export { waitUntil } from './wait-until.js';
export { type Pem, TestPki } from './test-pki.js';
export { rpcFailureOf } from './rpc-failure.js';
