export * from './subjects.js';
export * from './event-message.js';
export * from './jetstream-stream.js';
export * from './event-publisher.js';
export * from './outbox-relay.js';
export * from './stream-position.js';
export * from './durable-consumer.js';
export { ensureDurableConsumer } from './durable-consumer.config.js';
