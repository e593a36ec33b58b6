export * from './cni-agent.js';
