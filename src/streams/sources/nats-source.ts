import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { CairnError, errorMessage } from '../../core/errors.js';
import type { StreamMessage, StreamSource } from '../source.js';
import { NatsPublishBatch } from './nats-publish-batch.js';

export interface NatsSourceOptions {
  servers: string;
  /** JetStream stream; created over `subject` when missing. */
  stream: string;
  subject: string;
  /** Durable consumer name: a restarted pipeline resumes where it stopped. */
  durable: string;
  /** Seconds before an unacknowledged message is delivered again. Default 30. */
  ackWaitSeconds?: number;
  /** Messages delivered and not yet acknowledged, at most. Default 50,000. */
  maxAckPending?: number;
}

/** NATS JetStream through a durable pull consumer with explicit acks. */
export class NatsSource implements StreamSource {
  readonly kind = 'nats';
  /**
   * Above JetStream's default of 1,000: a pipeline keeps receiving the next micro-batches while the
   * last one is written, so the cap must hold several. At 10,000 the fraud stream received a window,
   * then sat idle while it was written (0.3–0.6 s for 10,000 decisions), in turns.
   */
  readonly maxUnacked: number;
  private connection: NatsConnection | undefined;
  private messages: ConsumerMessages | undefined;

  constructor(private readonly options: NatsSourceOptions) {
    this.maxUnacked = options.maxAckPending ?? 50_000;
  }

  async start(onMessage: (message: StreamMessage) => void): Promise<void> {
    const { servers, stream, subject, durable } = this.options;
    try {
      this.connection = await connect({ servers, reconnect: true, maxReconnectAttempts: -1 });
    } catch (error) {
      throw new CairnError('SOURCE_ERROR', `cannot connect to NATS at ${servers}: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    const manager = await jetstreamManager(this.connection);
    const streams = await manager.streams.names().next();
    if (!streams.includes(stream)) await manager.streams.add({ name: stream, subjects: [subject] });
    await manager.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: subject,
      ack_wait: (this.options.ackWaitSeconds ?? 30) * 1_000_000_000,
      max_ack_pending: this.maxUnacked,
    });
    const consumer = await jetstream(this.connection).consumers.get(stream, durable);
    const acks = new NatsPublishBatch(this.connection);
    // A callback rather than the async iterator: one promise less per message on the hot path.
    this.messages = await consumer.consume({
      max_messages: Math.min(this.maxUnacked, 2000),
      callback: (message) => onMessage(new NatsDelivery(message.data, replyOf(message), acks)),
    });
  }

  /** Drops the connection as a network failure would; the client reconnects and delivery resumes. */
  async interrupt(): Promise<void> {
    await this.connection?.reconnect();
  }

  async close(): Promise<void> {
    await this.messages?.close();
    await this.connection?.drain().catch(() => undefined);
  }
}

/** The subject an acknowledgement goes to: the client's message has it, though its type does not say so. */
function replyOf(message: JsMsg): string {
  return (message as JsMsg & { reply: string }).reply;
}

/**
 * A delivered message. Its acknowledgement (`+ACK` to the reply subject, as the client's `ack()`
 * sends) joins the turn's batch; and what waits for it holds the bytes and the reply subject, not
 * the client's message objects.
 */
class NatsDelivery implements StreamMessage {
  private acked = false;

  constructor(
    readonly data: Uint8Array,
    private readonly reply: string,
    private readonly acks: NatsPublishBatch,
  ) {}

  ack(): void {
    if (this.acked) return;
    this.acks.publish(this.reply, '+ACK', 4);
    this.acked = true;
  }
}
