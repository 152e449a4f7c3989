import { CairnError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { exec, type Database } from '../../warehouse/database.js';
import { META_SCHEMA } from '../../warehouse/metadata.js';
import { asText, type JsonRow } from '../../warehouse/values.js';
import type { FraudResult } from './scorer.js';
import type { Transaction } from './transaction.js';

/** Every decision, with its transaction, in the warehouse (the user's `main` schema). */
export const DECISIONS_TABLE = 'fraud_decisions';
/** REVIEW and BLOCK decisions waiting for, or holding, an analyst's label. */
export const REVIEWS_TABLE = `${META_SCHEMA}.fraud_reviews`;

const COLUMNS = `transaction_id VARCHAR, user_id VARCHAR, amount DOUBLE, currency VARCHAR,
  merchant_id VARCHAR, merchant_category VARCHAR, device_id VARCHAR, payment_method VARCHAR,
  ts TIMESTAMPTZ, lat DOUBLE, lon DOUBLE, decision VARCHAR, score INTEGER, method VARCHAR,
  reasons JSON, latency_ms DOUBLE, decided_at TIMESTAMPTZ`;

/**
 * The review queue (Cairn's bookkeeping). The decisions table is the user's to query, so it appears
 * in the warehouse with the first decision, not when a server starts.
 */
export async function ensureDecisionTables(db: Database): Promise<void> {
  await db.run(`
    CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
    CREATE TABLE IF NOT EXISTS ${REVIEWS_TABLE} (
      transaction_id VARCHAR PRIMARY KEY,
      decision VARCHAR NOT NULL,
      score INTEGER NOT NULL,
      reasons JSON NOT NULL,
      transaction JSON NOT NULL,
      status VARCHAR NOT NULL DEFAULT 'open',
      label VARCHAR,
      analyst VARCHAR,
      note VARCHAR,
      created_at TIMESTAMPTZ NOT NULL,
      labelled_at TIMESTAMPTZ
    )`);
}

const FLUSH_ROWS = 5000;

/**
 * How each decision row reads as JSON (`from_json`'s structure): the transaction and the decision as
 * they were serialised anyway (the decision is the message the stream publishes), and when.
 */
const TRANSACTION_STRUCTURE = {
  transaction_id: 'VARCHAR',
  user_id: 'VARCHAR',
  amount: 'DOUBLE',
  currency: 'VARCHAR',
  merchant_id: 'VARCHAR',
  merchant_category: 'VARCHAR',
  device_id: 'VARCHAR',
  payment_method: 'VARCHAR',
  timestamp: 'VARCHAR',
  location: { lat: 'DOUBLE', lon: 'DOUBLE' },
};
const DECISION_STRUCTURE = {
  decision: 'VARCHAR',
  score: 'INTEGER',
  method: 'VARCHAR',
  reasons: 'JSON',
  latency_ms: 'DOUBLE',
};
const rowsOf = (transaction: unknown) =>
  `(SELECT unnest(from_json($1::JSON, '[${JSON.stringify({ tx: transaction, result: DECISION_STRUCTURE, at: 'VARCHAR' })}]'), recursive := true))`;
const INSERT_DECISIONS = `INSERT INTO main.${DECISIONS_TABLE}
  SELECT transaction_id, user_id, amount, currency, merchant_id, merchant_category, device_id,
         payment_method, "timestamp"::TIMESTAMPTZ, lat, lon, decision, score, method, reasons,
         latency_ms, "at"::TIMESTAMPTZ
  FROM ${rowsOf(TRANSACTION_STRUCTURE)}`;
// The review queue keeps the transaction as JSON, for the analyst.
const INSERT_REVIEWS = `INSERT INTO ${REVIEWS_TABLE} (transaction_id, decision, score, reasons, transaction, created_at)
  SELECT tx->>'$.transaction_id', decision, score, reasons, tx, "at"::TIMESTAMPTZ
  FROM ${rowsOf('JSON')}
  ON CONFLICT DO NOTHING`;

/**
 * Buffers decisions and writes them in micro-batches (at most every `intervalMs`), so the scoring
 * path never waits on the database; REVIEW and BLOCK decisions also enter the review queue. Each
 * decision becomes its JSON row when it is added (a few microseconds per request) and a batch goes to
 * DuckDB as one JSON parameter: parsing and inserting then run on DuckDB's threads, where an appender
 * or thousands of bound values would hold the event loop for milliseconds and delay every request
 * behind them. A batch that fails to write stays buffered and is tried again.
 */
export class DecisionLog {
  /** JSON rows (`{tx, result, at}`, read by `rowsOf`), oldest first, and whether each is queued for review. */
  private buffer: string[] = [];
  private queued: boolean[] = [];
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<boolean> = Promise.resolve(true);
  private decisionsTable = false;
  private lastTime = NaN;
  private lastIso = '';

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    intervalMs = 250,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** `resultJson`: the result as JSON when the caller has it already (the stream publishes it). */
  add(tx: Transaction, result: FraudResult, resultJson = JSON.stringify(result)): void {
    this.buffer.push(
      `{"tx":${JSON.stringify(tx)},"result":${resultJson},"at":"${this.isoTime(Date.now())}"}`,
    );
    this.queued.push(result.decision === 'REVIEW' || result.decision === 'BLOCK');
    if (this.buffer.length >= 4 * FLUSH_ROWS) void this.flush();
  }

  /** The time as ISO text; decisions of one millisecond share it. */
  private isoTime(at: number): string {
    if (at !== this.lastTime) {
      this.lastTime = at;
      this.lastIso = new Date(at).toISOString();
    }
    return this.lastIso;
  }

  /** Decisions waiting to be written. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Writes what is buffered; resolves to true once it is in the database, false if the write failed. */
  flush(): Promise<boolean> {
    this.flushing = this.flushing.then(
      () => this.write(),
      () => this.write(),
    );
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /**
   * Writes the rows buffered when it starts, not those added meanwhile: a caller waiting for its
   * rows (the stream acknowledges messages after this) must not also wait for every later one.
   */
  private async write(): Promise<boolean> {
    for (let left = this.buffer.length; left > 0;) {
      const batch = this.buffer.splice(0, Math.min(left, FLUSH_ROWS));
      const queued = this.queued.splice(0, batch.length);
      left -= batch.length;
      try {
        if (!this.decisionsTable) {
          await this.db.run(`CREATE TABLE IF NOT EXISTS main.${DECISIONS_TABLE} (${COLUMNS})`);
          this.decisionsTable = true;
        }
        // The review queue gets its few rows as their own parameter: DuckDB parsing the whole batch
        // twice took longer than everything else in the write.
        const reviews = batch.filter((_, i) => queued[i]);
        await this.db.transaction(async (connection) => {
          await exec(connection, INSERT_DECISIONS, [`[${batch.join(',')}]`]);
          if (reviews.length > 0) await exec(connection, INSERT_REVIEWS, [`[${reviews.join(',')}]`]);
        });
      } catch (error) {
        this.buffer.unshift(...batch);
        this.queued.unshift(...queued);
        this.logger.error({ err: error, rows: batch.length }, 'fraud decision log: write failed; will retry');
        return false;
      }
    }
    return true;
  }
}

export interface ReviewItem {
  transaction_id: string;
  decision: string;
  score: number;
  reasons: unknown;
  transaction: Transaction;
  status: 'open' | 'labelled';
  label: 'fraud' | 'legit' | null;
  analyst: string | null;
  note: string | null;
  created_at: string;
  labelled_at: string | null;
}

/** The review queue, newest first; `status` filters open or labelled items. */
export async function listReviews(
  db: Database,
  status?: 'open' | 'labelled',
  limit = 100,
): Promise<ReviewItem[]> {
  const rows = await db.rows(
    `SELECT * FROM ${REVIEWS_TABLE} ${status === undefined ? '' : 'WHERE status = $2'} ORDER BY created_at DESC LIMIT $1`,
    status === undefined ? [limit] : [limit, status],
  );
  return rows.map(toReview);
}

/** Stores an analyst's label on a queued transaction; returns the item as stored. */
export async function labelReview(
  db: Database,
  transactionId: string,
  label: 'fraud' | 'legit',
  analyst: string,
  note: string,
): Promise<ReviewItem> {
  const [row] = await db.rows(`SELECT * FROM ${REVIEWS_TABLE} WHERE transaction_id = $1`, [transactionId]);
  if (row === undefined) {
    throw new CairnError('NOT_FOUND', `transaction '${transactionId}' is not in the fraud review queue`);
  }
  await db.run(
    `UPDATE ${REVIEWS_TABLE} SET status = 'labelled', label = $2, analyst = $3, note = $4, labelled_at = now()
     WHERE transaction_id = $1`,
    [transactionId, label, analyst, note],
  );
  const [updated] = await db.rows(`SELECT * FROM ${REVIEWS_TABLE} WHERE transaction_id = $1`, [
    transactionId,
  ]);
  return toReview(updated);
}

function toReview(row: JsonRow): ReviewItem {
  return {
    transaction_id: asText(row.transaction_id),
    decision: asText(row.decision),
    score: Number(row.score),
    reasons: JSON.parse(asText(row.reasons)) as unknown,
    transaction: JSON.parse(asText(row.transaction)) as Transaction,
    status: asText(row.status) === 'labelled' ? 'labelled' : 'open',
    label: row.label === null ? null : (asText(row.label) as 'fraud' | 'legit'),
    analyst: row.analyst === null ? null : asText(row.analyst),
    note: row.note === null ? null : asText(row.note),
    created_at: new Date(asText(row.created_at)).toISOString(),
    labelled_at: row.labelled_at === null ? null : new Date(asText(row.labelled_at)).toISOString(),
  };
}
