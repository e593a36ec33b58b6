import type { OutboxEvent } from '@ipledger/event-store';
import { PubHeaders } from '@nats-io/jetstream';
import { type Msg, type NatsConnection, type Subscription, createInbox } from '@nats-io/transport-node';
import { encodeEventPayload, eventHeaders } from './event-message.js';
import { subjectForEvent } from './subjects.js';

export interface PublishOutcome {
  /** How many events from the start of the batch JetStream confirmed, in order. */
  confirmed: number;
  duplicates: number;
  /** Why the first unconfirmed event failed, if any did. */
  error: unknown;
}

export interface PublishSettings {
  subjectPrefix: string;
  streamName: string;
  timeoutMs: number;
}

/** What JetStream answered for one message, or why there is no answer. */
type Ack = { duplicate: boolean } | { error: Error };

/** A JetStream publish acknowledgement (or API error), as the server sends it. */
interface PubAckBody {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

export class PublishError extends Error {
  override name = 'PublishError';
}

/**
 * Publishes batches of outbox events to JetStream, pipelined on one connection: every message is sent before
 * the first acknowledgement is awaited, so the stream stores them in the order sent; a retry resends the same
 * `Nats-Msg-Id`, which JetStream drops as a duplicate.
 *
 * Each message is a core publish whose reply subject lies under one inbox subscription of this publisher, and
 * one timer covers the whole batch. That is what a JetStream publish does underneath, minus what
 * `JetStreamClient.publish` adds per message for general use (a request object, a timer and an error with its
 * stack each time), which was most of the relay's cost per event.
 */
export class JetStreamPublisher {
  private readonly inbox: string;
  private readonly waiting = new Map<number, (ack: Ack) => void>();
  private subscription: Subscription | null = null;
  private sequence = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly settings: PublishSettings,
    inboxPrefix?: string,
  ) {
    this.inbox = createInbox(inboxPrefix);
  }

  async publishInOrder(events: readonly OutboxEvent[]): Promise<PublishOutcome> {
    let subjects: string[];
    try {
      subjects = events.map((e) => subjectForEvent(e, this.settings.subjectPrefix));
    } catch (error) {
      return { confirmed: 0, duplicates: 0, error };
    }
    this.subscribe();
    const numbers: number[] = [];
    const acks = events.map((event, i) => {
      const n = (this.sequence += 1);
      numbers.push(n);
      const ack = new Promise<Ack>((resolve) => this.waiting.set(n, resolve));
      try {
        this.nc.publish(subjects[i], encodeEventPayload(event), {
          reply: `${this.inbox}.${n}`,
          headers: this.headersOf(event),
        });
      } catch (error) {
        this.settle(n, { error: asError(error) });
      }
      return ack;
    });
    const timer = setTimeout(() => {
      const error = new PublishError(`JetStream did not acknowledge within ${this.settings.timeoutMs} ms`);
      numbers.forEach((n) => this.settle(n, { error }));
    }, this.settings.timeoutMs);
    try {
      return outcomeOf(await Promise.all(acks));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops listening; batches still waiting fail at once. */
  close(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    const error = new PublishError('the publisher was closed');
    [...this.waiting.keys()].forEach((n) => this.settle(n, { error }));
  }

  private headersOf(event: OutboxEvent) {
    const h = eventHeaders(event);
    h.set(PubHeaders.MsgIdHdr, event.id);
    h.set(PubHeaders.ExpectedStreamHdr, this.settings.streamName);
    return h;
  }

  private subscribe(): void {
    if (this.subscription && !this.subscription.isClosed()) {
      return;
    }
    this.subscription = this.nc.subscribe(`${this.inbox}.*`, {
      callback: (error, msg) => {
        if (!error) {
          this.settle(Number(msg.subject.slice(this.inbox.length + 1)), readAck(msg, this.settings.streamName));
        }
      },
    });
  }

  private settle(n: number, ack: Ack): void {
    const resolve = this.waiting.get(n);
    if (resolve) {
      this.waiting.delete(n);
      resolve(ack);
    }
  }
}

function readAck(msg: Msg, streamName: string): Ack {
  if (msg.headers?.code === 503) {
    return { error: new PublishError(`no JetStream stream takes ${msg.headers.description || 'this subject'}`) };
  }
  let body: PubAckBody;
  try {
    body = msg.json<PubAckBody>();
  } catch (error) {
    return { error: new PublishError(`unreadable acknowledgement: ${asError(error).message}`) };
  }
  if (body.error) {
    const { code, err_code: errCode, description } = body.error;
    return { error: new PublishError(`JetStream refused the message: ${description} (${code}/${errCode})`) };
  }
  if (body.stream !== streamName) {
    return { error: new PublishError(`acknowledged by stream ${JSON.stringify(body.stream)}, not ${streamName}`) };
  }
  return { duplicate: body.duplicate === true };
}

function outcomeOf(acks: readonly Ack[]): PublishOutcome {
  let confirmed = 0;
  let duplicates = 0;
  for (const ack of acks) {
    if ('error' in ack) {
      return { confirmed, duplicates, error: ack.error };
    }
    confirmed++;
    duplicates += ack.duplicate ? 1 : 0;
  }
  return { confirmed, duplicates, error: null };
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
