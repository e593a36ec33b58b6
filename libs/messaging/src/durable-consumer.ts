import type { RecordedEvent } from '@ipledger/event-store';
import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { ensureDurableConsumer } from './durable-consumer.config.js';
import { decodeEventPayload } from './event-message.js';

/** What the handler did: done (ack), try again later (nak with a delay in ms), or never (term: poison). */
export type HandlerResult = { ack: true } | { nak: number } | { term: string };

export interface Delivery {
  subject: string;
  streamSequence: number;
  /** 1 on the first delivery. */
  deliveryCount: number;
}

export type EventHandler = (event: RecordedEvent, delivery: Delivery) => Promise<HandlerResult>;

export interface ConsumerLogger {
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface DurableConsumerOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  /** e.g. `agent-<node>`. */
  durable: string;
  /** e.g. nodeSubjectFilter(node). */
  filterSubject: string;
  handler: EventHandler;
  /** Redelivery when neither ack, nak nor term arrives in time (e.g. the process died). Default 30 s. */
  ackWaitMs?: number;
  /**
   * Unacknowledged messages in flight. Default 1: a nak'd event is redelivered before any later one, so the
   * handler sees each node's events in order even across transient failures.
   */
  maxAckPending?: number;
  /** Delay before redelivery when the handler throws. Default 1 s. */
  errorRetryMs?: number;
  logger?: ConsumerLogger;
}

export interface DurableConsumerStats {
  acked: number;
  naked: number;
  terminated: number;
}

export interface DurableConsumer {
  /** Stops pulling, lets the handler finish what was already delivered, then resolves. */
  stop(): Promise<void>;
  /** Resolves when the consumer stopped. */
  readonly done: Promise<void>;
  stats(): DurableConsumerStats;
}

const jsonLogger: ConsumerLogger = {
  warn: (message, fields) => console.error(JSON.stringify({ level: 'warn', msg: message, ...fields })),
};

/** Creates (or reuses) the durable pull consumer and feeds its messages, one at a time, to the handler. */
export async function runDurableConsumer(options: DurableConsumerOptions): Promise<DurableConsumer> {
  const { js, jsm, stream, durable } = options;
  await ensureDurableConsumer(jsm, stream, {
    durable_name: durable,
    filter_subject: options.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: (options.ackWaitMs ?? 30_000) * 1_000_000,
    max_ack_pending: options.maxAckPending ?? 1,
    max_deliver: -1,
  });
  return new ConsumerLoop(await js.consumers.get(stream, durable), options);
}

class ConsumerLoop implements DurableConsumer {
  readonly done: Promise<void>;
  private readonly counts: DurableConsumerStats = { acked: 0, naked: 0, terminated: 0 };
  private readonly logger: ConsumerLogger;
  private stopping = false;
  private messages: ConsumerMessages | null = null;

  constructor(
    private readonly consumer: Consumer,
    private readonly options: DurableConsumerOptions,
  ) {
    this.logger = options.logger ?? jsonLogger;
    this.done = this.run();
  }

  stats(): DurableConsumerStats {
    return { ...this.counts };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.messages?.stop();
    await this.done;
  }

  // consume() rides out reconnects itself; this loop only restarts it if it ends anyway (e.g. the consumer
  // was deleted and recreated).
  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const messages = await this.consumer.consume({ max_messages: Math.max(16, this.options.maxAckPending ?? 1) });
        this.messages = messages;
        if (this.stopping) {
          messages.stop();
        }
        for await (const msg of messages) {
          await handleOne(msg, this.options, this.counts, this.logger);
        }
      } catch (error) {
        this.logger.warn('consumer interrupted', { durable: this.options.durable, error: String(error) });
      }
      if (!this.stopping) {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}

async function handleOne(
  msg: JsMsg,
  options: DurableConsumerOptions,
  stats: DurableConsumerStats,
  logger: ConsumerLogger,
): Promise<void> {
  const where = { durable: options.durable, subject: msg.subject, seq: msg.seq };
  let event: RecordedEvent;
  try {
    event = decodeEventPayload(msg.data);
  } catch (error) {
    terminate(msg);
    stats.terminated++;
    logger.warn('poison message terminated', { ...where, reason: `undecodable: ${(error as Error).message}` });
    return;
  }
  let result: HandlerResult;
  try {
    result = await options.handler(event, {
      subject: msg.subject,
      streamSequence: msg.seq,
      deliveryCount: msg.info.deliveryCount,
    });
  } catch (error) {
    result = { nak: options.errorRetryMs ?? 1_000 };
    logger.warn('handler failed; will retry', { ...where, eventId: event.id, error: String(error) });
  }
  settle(msg, result, stats, logger, { ...where, eventId: event.id, type: event.type });
}

function settle(
  msg: JsMsg,
  result: HandlerResult,
  stats: DurableConsumerStats,
  logger: ConsumerLogger,
  where: Record<string, unknown>,
): void {
  if ('ack' in result) {
    msg.ack();
    stats.acked++;
  } else if ('nak' in result) {
    msg.nak(result.nak);
    stats.naked++;
  } else {
    terminate(msg);
    stats.terminated++;
    logger.warn('poison message terminated', { ...where, reason: result.term });
  }
}

// The reason is logged here, not sent: nats-server 2.9 only knows a bare `+TERM` and ignores `+TERM <reason>`,
// which would leave the message pending (and, with one ack pending allowed, the consumer stuck) until ack_wait.
function terminate(msg: JsMsg): void {
  msg.term();
}
