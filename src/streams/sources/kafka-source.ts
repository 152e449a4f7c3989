import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { CairnError, errorMessage } from '../../core/errors.js';
import type { StreamMessage, StreamSource } from '../source.js';

export interface KafkaSourceOptions {
  brokers: string[];
  topic: string;
  groupId: string;
  clientId?: string;
}

/**
 * Kafka through a consumer group with auto-commit off: a partition's offset is committed only up to
 * the first message not yet acknowledged, so everything after it is delivered again after a restart
 * or a rebalance.
 */
export class KafkaSource implements StreamSource {
  readonly kind = 'kafka';
  private readonly kafka: Kafka;
  private consumer: Consumer | undefined;
  private onMessage: ((message: StreamMessage) => void) | undefined;

  constructor(private readonly options: KafkaSourceOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'cairn',
      brokers: options.brokers,
      // kafkajs logs JSON lines to stdout, which would break `--json` output; failures reach the
      // caller as errors instead.
      logLevel: logLevel.NOTHING,
    });
  }

  async start(onMessage: (message: StreamMessage) => void): Promise<void> {
    this.onMessage = onMessage;
    await this.join();
  }

  /** Leaves the group and joins again, as after a lost connection: uncommitted messages come back. */
  async interrupt(): Promise<void> {
    await this.consumer?.disconnect();
    await this.join();
  }

  private async join(): Promise<void> {
    const { topic, groupId, brokers } = this.options;
    const onMessage = this.onMessage!;
    const consumer = this.kafka.consumer({ groupId });
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw new CairnError(
        'SOURCE_ERROR',
        `cannot join Kafka group ${groupId} on ${brokers.join(',')}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    // Per partition: offsets delivered and not yet committed, in order.
    const pending = new Map<number, { offset: bigint; acked: boolean }[]>();
    const scheduled = new Set<number>();
    const commit = (partition: number) => {
      scheduled.delete(partition);
      const queue = pending.get(partition) ?? [];
      let next: bigint | undefined;
      while (queue.length > 0 && queue[0].acked) next = queue.shift()!.offset + 1n;
      // An ack that arrives after this consumer left the group commits nothing: the message is
      // delivered again to the next member, and its idempotency key absorbs the repeat.
      if (next !== undefined && this.consumer === consumer)
        consumer.commitOffsets([{ topic, partition, offset: next.toString() }]).catch(() => undefined);
    };
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        const entry = { offset: BigInt(message.offset), acked: false };
        const queue = pending.get(partition) ?? [];
        queue.push(entry);
        pending.set(partition, queue);
        onMessage({
          data: message.value ?? new Uint8Array(),
          ack: () => {
            entry.acked = true;
            // A batch's acks arrive together: one commit per partition after them, not one each.
            if (!scheduled.has(partition)) {
              scheduled.add(partition);
              queueMicrotask(() => commit(partition));
            }
          },
        });
        return Promise.resolve();
      },
    });
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }
}
