export * from './json-logger.js';
export * from './metrics.js';
export * from './recent-spans.processor.js';
export * from './telemetry.js';
export * from './trace-context.js';
