export * from './allocation.service.port.js';
export * from './allocator.views.js';
export * from './call-context.js';
export * from './history.service.port.js';
export * from './node.service.port.js';
export * from './pool-query.service.port.js';
