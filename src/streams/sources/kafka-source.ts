import { Kafka, type Consumer } from 'kafkajs';
import { CairnError, errorMessage } from '../../core/errors.js';
import type { StreamMessage, StreamSource } from '../source.js';

export interface KafkaSourceOptions {
  brokers: string[];
  topic: string;
  groupId: string;
  clientId?: string;
}

/** The part of kafkajs's consumer the source uses, so a test can stand in for a broker. */
export type KafkaConsumerLike = Pick<
  Consumer,
  'connect' | 'subscribe' | 'run' | 'commitOffsets' | 'disconnect'
>;

/**
 * Kafka through a consumer group with auto-commit off: a partition's offset is committed only up to
 * the first message not yet acknowledged, so everything after it is redelivered after a restart.
 */
export class KafkaSource implements StreamSource {
  readonly kind = 'kafka';
  private consumer: KafkaConsumerLike | undefined;

  constructor(
    private readonly options: KafkaSourceOptions,
    private readonly createConsumer: (options: KafkaSourceOptions) => KafkaConsumerLike = (o) =>
      new Kafka({ clientId: o.clientId ?? 'cairn', brokers: o.brokers }).consumer({ groupId: o.groupId }),
  ) {}

  async start(onMessage: (message: StreamMessage) => void): Promise<void> {
    const consumer = this.createConsumer(this.options);
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    } catch (error) {
      throw new CairnError(
        'SOURCE_ERROR',
        `cannot join Kafka group ${this.options.groupId} on ${this.options.brokers.join(',')}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    // Per partition: offsets delivered and not yet acknowledged, in order.
    const pending = new Map<number, { offset: bigint; acked: boolean }[]>();
    const commit = async (topic: string, partition: number) => {
      const queue = pending.get(partition) ?? [];
      let next: bigint | undefined;
      while (queue.length > 0 && queue[0].acked) next = queue.shift()!.offset + 1n;
      if (next !== undefined) await consumer.commitOffsets([{ topic, partition, offset: next.toString() }]);
    };
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ topic, partition, message }) => {
        const entry = { offset: BigInt(message.offset), acked: false };
        const queue = pending.get(partition) ?? [];
        queue.push(entry);
        pending.set(partition, queue);
        onMessage({
          data: message.value ?? new Uint8Array(),
          ack: () => {
            entry.acked = true;
            void commit(topic, partition);
          },
        });
        return Promise.resolve();
      },
    });
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
