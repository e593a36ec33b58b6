export * from './dataplane.js';
export * from './pod-naming.js';
export * from './bandwidth.shaper.js';
export * from './eni-preparer.js';
export * from './policy-route.dataplane.js';
export * from './exclusive-eni.dataplane.js';
export * from './pod-inventory.js';
