export * from './cni-agent.js';
export * from './allocator-proto.js';
export * from './allocator-rpc.error.js';
export * from './allocator.client.js';
export * from './allocator.messages.js';
export * from './health.client.js';
export * from './cni-agent.validation.js';
