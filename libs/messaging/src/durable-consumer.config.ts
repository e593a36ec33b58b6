import {
  type ConsumerConfig,
  type ConsumerInfo,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
} from '@nats-io/jetstream';

/**
 * Creates the durable consumer, or checks that the existing one filters the same subject (nats-server 2.9
 * cannot change a consumer's filter; delete it to move an agent to another subject).
 */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string; filter_subject: string },
): Promise<ConsumerInfo> {
  const existing = await jsm.consumers.info(stream, config.durable_name).catch((error: unknown) => {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound) {
      return null;
    }
    throw error;
  });
  if (!existing) {
    return jsm.consumers.add(stream, config);
  }
  if (existing.config.filter_subject !== config.filter_subject) {
    throw new Error(
      `consumer ${config.durable_name} filters ${existing.config.filter_subject ?? '(nothing)'}, not ${config.filter_subject}`,
    );
  }
  const { ack_wait, max_ack_pending } = config;
  if (existing.config.ack_wait !== ack_wait || existing.config.max_ack_pending !== max_ack_pending) {
    return jsm.consumers.update(stream, config.durable_name, { ack_wait, max_ack_pending });
  }
  return existing;
}
