// The CNI protocol alone, without the gRPC clients: what the `ipledger-cni` binary bundles (apps/cni/build.mjs
// points `@ipledger/proto` here), so the binary stays free of dependencies and quick to start.
export * from './cni-agent.js';
export * from './cni-agent.validation.js';
