import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { deadLetterTable } from '../../streams/pipeline.js';
import type { StreamMessage, StreamSource } from '../../streams/source.js';
import type { Database } from '../../warehouse/database.js';
import { DECISIONS_TABLE } from './decision-log.js';
import type { StreamSink } from './stream-sink.js';
import type { FraudService } from './service.js';
import { transactionSchema, type Transaction } from './transaction.js';

export interface FraudStreamOptions {
  service: FraudService;
  source: StreamSource;
  sink: StreamSink;
  db: Database;
  logger: Logger;
  /** Messages acknowledged together once their decisions are in the warehouse; default 500. */
  batchSize?: number;
  /** Longest wait before a partial batch is written (ms); default 100. */
  batchWaitMs?: number;
}

export interface FraudStreamStats {
  received: number;
  decided: number;
  /** Messages whose transaction id was already decided (a redelivery): acknowledged, not scored again. */
  duplicates: number;
  /** Malformed messages, stored in the dead-letter table with the reason. */
  deadLettered: number;
  /** Messages acknowledged after their decisions were written. */
  acked: number;
  batches: number;
}

/** Dead letters of the fraud stream, beside the decisions (the stream pipelines' convention). */
export const FRAUD_DEAD_LETTER_TABLE = deadLetterTable(DECISIONS_TABLE);

/**
 * Streaming fraud decisions: each transaction from the source is decided at once and its decision
 * published; transactions and decisions reach the warehouse in micro-batches, and a message is
 * acknowledged only after that, so the broker redelivers whatever was not stored. A transaction id
 * decided before (redelivery, restart) is acknowledged without being scored or counted again.
 */
export class FraudStreamConsumer {
  private pending: StreamMessage[] = [];
  private dead: { payload: string; reason: string }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly counters: FraudStreamStats = {
    received: 0,
    decided: 0,
    duplicates: 0,
    deadLettered: 0,
    acked: 0,
    batches: 0,
  };
  private readonly batchSize: number;
  private readonly batchWaitMs: number;

  constructor(private readonly options: FraudStreamOptions) {
    this.batchSize = Math.min(options.batchSize ?? 500, options.source.maxUnacked ?? Infinity);
    this.batchWaitMs = options.batchWaitMs ?? 100;
  }

  get stats(): FraudStreamStats {
    return { ...this.counters };
  }

  async start(): Promise<void> {
    await this.options.db.run(
      `CREATE TABLE IF NOT EXISTS main.${FRAUD_DEAD_LETTER_TABLE} (received_at TIMESTAMP, pipeline VARCHAR, payload VARCHAR, reason VARCHAR)`,
    );
    await this.options.source.start((message) => this.receive(message));
  }

  private receive(message: StreamMessage): void {
    this.counters.received++;
    const parsed = parseTransaction(message.data);
    if (typeof parsed === 'string') {
      this.dead.push({
        payload: Buffer.from(message.data).toString('utf8').slice(0, 10_000),
        reason: parsed,
      });
    } else if (this.options.service.decidedIds.has(parsed.transaction_id)) {
      this.counters.duplicates++;
    } else {
      const result = this.options.service.score(parsed);
      this.options.sink.publish(JSON.stringify(result));
      this.counters.decided++;
    }
    this.pending.push(message);
    if (this.pending.length >= this.batchSize) this.flushSoon(0);
    else this.flushSoon(this.batchWaitMs);
  }

  private flushSoon(wait: number): void {
    if (this.timer && wait > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, wait);
    // The source's connection keeps the process alive while messages flow; a timer alone must not.
    this.timer.unref();
  }

  /** Writes the decisions so far and acknowledges their messages; batches run one after another. */
  flush(): Promise<void> {
    const messages = this.pending;
    const dead = this.dead;
    this.pending = [];
    this.dead = [];
    this.flushing = this.flushing.then(() => this.store(messages, dead));
    return this.flushing;
  }

  private async store(messages: StreamMessage[], dead: { payload: string; reason: string }[]): Promise<void> {
    try {
      if (dead.length > 0) {
        await this.options.db.run(
          `INSERT INTO main.${FRAUD_DEAD_LETTER_TABLE} VALUES ${dead.map(() => `(current_timestamp::TIMESTAMP, 'fraud', ?, ?)`).join(', ')}`,
          dead.flatMap((d) => [d.payload, d.reason]),
        );
        this.counters.deadLettered += dead.length;
      }
      if (!(await this.options.service.flush()))
        throw new Error('the decision log could not write its batch');
    } catch (error) {
      // Unacknowledged, the messages come back from the broker; their decisions stay buffered.
      this.options.logger.error(
        { err: errorMessage(error) },
        'fraud stream: batch not stored; not acknowledged',
      );
      return;
    }
    for (const message of messages) message.ack();
    this.counters.acked += messages.length;
    this.counters.batches++;
  }

  /** Resolves once `count` messages were received and all of them acknowledged. */
  async drained(count: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.counters.acked < count) {
      if (Date.now() > deadline)
        throw new Error(
          `fraud stream acknowledged ${this.counters.acked} of ${count} messages in ${timeoutMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Stores and acknowledges what is pending, then stops the source (the sink stays the caller's). */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.flush();
    await this.options.source.close();
  }
}

/** The transaction in a message, or why there is none. */
function parseTransaction(data: Uint8Array): Transaction | string {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (error) {
    return `not JSON: ${errorMessage(error)}`;
  }
  const parsed = transactionSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
