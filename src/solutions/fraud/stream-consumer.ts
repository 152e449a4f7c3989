import { errorMessage } from '../../core/errors.js';
import { serialRuns } from '../../core/serial-runs.js';
import type { Logger } from '../../core/logger.js';
import { deadLetterTable } from '../../streams/pipeline.js';
import type { StreamMessage, StreamSource } from '../../streams/source.js';
import type { Database } from '../../warehouse/database.js';
import { DECISIONS_TABLE } from './decision-log.js';
import type { StreamSink } from './stream-sink.js';
import type { FraudService } from './service.js';
import type { FraudEnsemble } from './ensemble.js';
import { fallback, withLatency, type Assessment, type Decided } from './scorer.js';
import { parseTransactionBody, type Transaction } from './transaction.js';
import { VerdictThread } from './verdict-thread.js';
import { ensembleVerdict, rowOf, VerdictRowsBuilder, type VerdictRows } from './verdict.js';

export interface FraudStreamOptions {
  service: FraudService;
  source: StreamSource;
  sink: StreamSink;
  db: Database;
  logger: Logger;
  /** Decisions buffered before a write starts at once; default 5,000 (messages are acknowledged as written). */
  batchSize?: number;
  /** Longest wait before a partial batch is written (ms); default 250. */
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
 * Messages decided per event-loop turn. A write to the warehouse takes several turns (connection,
 * statements, commit) and the acknowledgements wait for it: deciding a whole broker burst in one
 * turn held a 1,000-row write for over a second, and with it the acks and the next deliveries.
 */
const TURN_MESSAGES = 256;

/** A transaction waiting for the ensemble's verdict, with what it needs to be concluded. */
interface Awaiting {
  tx: Transaction;
  assessment: Assessment;
  message: StreamMessage;
  started: number;
}

/**
 * Streaming fraud decisions. Messages that arrive together (one read from the broker) are decided
 * as a batch: each transaction's features and rules in arrival order on this thread — the user
 * windows are shared with the HTTP path — and the ensemble's part for the whole batch on a scoring
 * thread, so the two overlap; each decision is published once concluded. Transactions and decisions
 * reach the warehouse in micro-batches, and a message is acknowledged only after that, so the broker
 * redelivers whatever was not stored. A transaction id decided before (redelivery, restart) is
 * acknowledged without being scored or counted again.
 */
export class FraudStreamConsumer {
  private readonly inbox: StreamMessage[] = [];
  /**
   * Handled messages, oldest first, each with the decision log's row count once its decision was
   * added: a message is acknowledged when the log has written that many rows.
   */
  private readonly unacked: StreamMessage[] = [];
  private readonly rowMarks: number[] = [];
  /** Malformed messages and why, until stored in the dead-letter table. */
  private dead: { message: StreamMessage; payload: string; reason: string }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly stores = serialRuns(() => this.store());
  private stopListening: () => void = () => {};
  /** An acknowledgement failed (the connection closed): the broker redelivers what is left. */
  private ackFailed = false;
  /** Batches at the scoring thread, concluded in the order sent. */
  private scoring: Promise<void> = Promise.resolve();
  private readonly thread = new VerdictThread();
  /** The scoring thread failed once (logged then): its batches are scored here. */
  private scoringHere = false;
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
    this.batchSize = Math.min(options.batchSize ?? 5000, options.source.maxUnacked ?? Infinity);
    this.batchWaitMs = options.batchWaitMs ?? 250;
  }

  get stats(): FraudStreamStats {
    return { ...this.counters };
  }

  async start(): Promise<void> {
    await this.options.db.run(
      `CREATE TABLE IF NOT EXISTS main.${FRAUD_DEAD_LETTER_TABLE} (received_at TIMESTAMP, pipeline VARCHAR, payload VARCHAR, reason VARCHAR)`,
    );
    // A thread still loading would hold the first batches past the broker's ack wait.
    await this.thread.ready;
    this.stopListening = this.options.service.log.onWritten((written) => this.acknowledge(written));
    await this.options.source.start((message) => this.receive(message));
  }

  private receive(message: StreamMessage): void {
    this.counters.received++;
    if (this.inbox.length === 0) setImmediate(() => this.decideInbox());
    this.inbox.push(message);
  }

  /** Decides the messages received since the last batch, at most a turn's worth at a time. */
  private decideInbox(): void {
    const { service } = this.options;
    const { scorer } = service;
    const ensemble = scorer.ensemble;
    const messages = this.inbox.splice(0, TURN_MESSAGES);
    if (this.inbox.length > 0) setImmediate(() => this.decideInbox());
    const awaiting: Awaiting[] = [];
    const duplicates: StreamMessage[] = [];
    let rows: VerdictRowsBuilder | null = null;
    for (const message of messages) {
      const tx = parseTransaction(message.data);
      if (typeof tx === 'string') {
        this.dead.push({ message, payload: decode(message.data).slice(0, 10_000), reason: tx });
        this.flushSoon(this.batchWaitMs);
        continue;
      }
      if (service.decidedIds.has(tx.transaction_id)) {
        this.counters.duplicates++;
        duplicates.push(message);
        continue;
      }
      // A later copy of this transaction, in this batch or the next, is a duplicate from here on.
      service.decidedIds.add(tx.transaction_id);
      const started = performance.now();
      let assessment: Assessment;
      try {
        assessment = scorer.assess(tx);
      } catch (error) {
        this.conclude(tx, fallback(tx.transaction_id, error), started, message);
        continue;
      }
      if (ensemble === null || assessment.block) {
        this.conclude(tx, scorer.conclude(assessment, null), started, message);
        continue;
      }
      rows ??= new VerdictRowsBuilder(ensemble.features.length, messages.length);
      rows.add(assessment.x, assessment.strongest, assessment.review);
      awaiting.push({ tx, assessment, message, started });
    }
    if (rows !== null) this.score(ensemble!, awaiting, rows.build());
    // A copy may be a redelivery of a message whose first decision is still being made: it is
    // acknowledged with the decisions made before it, once they are written.
    if (duplicates.length > 0)
      this.scoring = this.scoring.then(() => duplicates.forEach((message) => this.settle(message)));
  }

  /** Concludes a batch once the scoring thread has its verdicts (or, should it fail, as `score` would). */
  private score(ensemble: FraudEnsemble, awaiting: Awaiting[], rows: VerdictRows): void {
    const { scorer } = this.options.service;
    const policy = scorer.policy;
    const done = this.thread.verdicts(ensemble, rows, policy).then(
      (verdicts) => {
        awaiting.forEach((a, i) =>
          this.conclude(a.tx, scorer.conclude(a.assessment, verdicts[i]), a.started, a.message),
        );
      },
      (error: unknown) => {
        if (!this.scoringHere)
          this.options.logger.warn({ err: errorMessage(error) }, 'fraud stream: scoring on the main thread');
        this.scoringHere = true;
        awaiting.forEach((a, i) => {
          let decided: Decided;
          try {
            const x = rowOf(rows, i);
            const probability = ensemble.scoreRow(x, rows.strongest[i]).probability;
            decided = scorer.conclude(
              a.assessment,
              ensembleVerdict(ensemble, x, probability, rows.review[i] === 1, policy),
            );
          } catch (failure) {
            decided = fallback(a.tx.transaction_id, failure);
          }
          this.conclude(a.tx, decided, a.started, a.message);
        });
      },
    );
    this.scoring = this.scoring.then(() => done);
  }

  /** Publishes a decision, books it with the service and queues its message for the warehouse. */
  private conclude(tx: Transaction, decided: Decided, started: number, message: StreamMessage): void {
    const result = withLatency(decided, started);
    const json = JSON.stringify(result);
    this.options.service.record(tx, result, json);
    this.options.sink.publish(json);
    this.counters.decided++;
    this.settle(message);
  }

  /** Queues a handled message for acknowledgement once the decisions made so far are written. */
  private settle(message: StreamMessage): void {
    const { log } = this.options.service;
    this.unacked.push(message);
    this.rowMarks.push(log.added);
    if (log.pending >= this.batchSize) this.flushSoon(0);
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

  /**
   * Stores the dead letters and the decisions so far; messages are acknowledged as their decisions
   * are written (by this or the decision log's own timer), batch by batch.
   */
  flush(): Promise<void> {
    return this.stores();
  }

  private async store(): Promise<void> {
    const dead = this.dead;
    this.dead = [];
    if (dead.length > 0) {
      try {
        await this.options.db.run(
          `INSERT INTO main.${FRAUD_DEAD_LETTER_TABLE} VALUES ${dead.map(() => `(current_timestamp::TIMESTAMP, 'fraud', ?, ?)`).join(', ')}`,
          dead.flatMap((d) => [d.payload, d.reason]),
        );
        this.counters.deadLettered += dead.length;
        this.ack(dead.map((d) => d.message));
      } catch (error) {
        // Unacknowledged, the messages come back from the broker and are dead-lettered then.
        this.options.logger.error({ err: errorMessage(error) }, 'fraud stream: dead letters not stored');
      }
    }
    // A failed write keeps its rows buffered (the log says so) and their messages unacknowledged.
    const { log } = this.options.service;
    await log.flush();
    // Messages that added no row since the last write (duplicates) are not acknowledged by a write.
    this.acknowledge(log.written);
  }

  /** Acknowledges the messages whose decisions are among the first `written` rows of the log. */
  private acknowledge(written: number): void {
    let n = 0;
    while (n < this.rowMarks.length && this.rowMarks[n] <= written) n++;
    if (n === 0) return;
    this.ack(this.unacked, n);
    dropFirst(this.unacked, n);
    dropFirst(this.rowMarks, n);
  }

  /** Acknowledges the first `count` of `messages` (all of them by default). */
  private ack(messages: StreamMessage[], count = messages.length): void {
    if (this.ackFailed) return;
    try {
      for (let i = 0; i < count; i++) {
        messages[i].ack();
        this.counters.acked++;
      }
      this.counters.batches++;
    } catch (error) {
      this.ackFailed = true;
      this.options.logger.error(
        { err: errorMessage(error) },
        'fraud stream: acknowledgements failed; the broker will redeliver the rest',
      );
    }
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

  /** Decides what was received, stores and acknowledges it, then stops the source (the sink stays the caller's). */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    while (this.inbox.length > 0) this.decideInbox();
    await this.scoring;
    await this.flush();
    this.stopListening();
    await this.options.source.close();
    await this.thread.close();
  }
}

/** The transaction in a message, or why there is none. */
function parseTransaction(data: Uint8Array): Transaction | string {
  let body: unknown;
  try {
    body = JSON.parse(decode(data));
  } catch (error) {
    return `not JSON: ${errorMessage(error)}`;
  }
  return parseTransactionBody(body);
}

/** The message's bytes as text (a view of them, not a copy, until decoded). */
function decode(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
}

/** Removes the first `n` items in place (`splice` would also build an array of what it removes). */
function dropFirst(list: unknown[], n: number): void {
  list.copyWithin(0, n);
  list.length -= n;
}
