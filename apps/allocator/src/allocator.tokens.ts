// Injection tokens for what the allocator's root module provides to every module (see allocator.module.ts).

/** AllocatorSettings (libs/config): the environment and the eni-config read at start. */
export const ALLOCATOR_SETTINGS = Symbol('ALLOCATOR_SETTINGS');

/** Metrics (libs/telemetry): the process's metric instruments. */
export const METRICS = Symbol('METRICS');
