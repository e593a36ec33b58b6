export * from './cloud.port.js';
