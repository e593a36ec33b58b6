export * from './kernel.port.js';
export * from './net-op.js';
export * from './kernel-error.js';
export * from './kernel-rollback.js';
export { IprouteKernelAdapter } from './iproute-kernel.adapter.js';
export { NetlinkKernelAdapter } from './netlink-kernel.adapter.js';
export * from './kernel.factory.js';
