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

/** How each decision row reads as JSON (`from_json`'s structure), in the table's column order. */
const ROW_STRUCTURE = JSON.stringify({
  transaction_id: 'VARCHAR',
  user_id: 'VARCHAR',
  amount: 'DOUBLE',
  currency: 'VARCHAR',
  merchant_id: 'VARCHAR',
  merchant_category: 'VARCHAR',
  device_id: 'VARCHAR',
  payment_method: 'VARCHAR',
  ts: 'VARCHAR',
  lat: 'DOUBLE',
  lon: 'DOUBLE',
  decision: 'VARCHAR',
  score: 'INTEGER',
  method: 'VARCHAR',
  reasons: 'VARCHAR',
  latency_ms: 'DOUBLE',
  decided_at: 'VARCHAR',
  transaction: 'VARCHAR',
});
const BATCH_ROWS = `(SELECT unnest(from_json($1::JSON, '[${ROW_STRUCTURE}]'), recursive := true))`;
const INSERT_DECISIONS = `INSERT INTO main.${DECISIONS_TABLE}
  SELECT transaction_id, user_id, amount, currency, merchant_id, merchant_category, device_id,
         payment_method, ts::TIMESTAMPTZ, lat, lon, decision, score, method, reasons, latency_ms,
         decided_at::TIMESTAMPTZ
  FROM ${BATCH_ROWS}`;
const INSERT_REVIEWS = `INSERT INTO ${REVIEWS_TABLE} (transaction_id, decision, score, reasons, transaction, created_at)
  SELECT transaction_id, decision, score, reasons, transaction, decided_at::TIMESTAMPTZ
  FROM ${BATCH_ROWS} WHERE transaction IS NOT NULL
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
  private buffer: string[] = [];
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<boolean> = Promise.resolve(true);
  private decisionsTable = false;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    intervalMs = 250,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  add(tx: Transaction, result: FraudResult): void {
    this.buffer.push(decisionRow(tx, result, Date.now()));
    if (this.buffer.length >= 4 * FLUSH_ROWS) void this.flush();
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

  private async write(): Promise<boolean> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, FLUSH_ROWS);
      try {
        if (!this.decisionsTable) {
          await this.db.run(`CREATE TABLE IF NOT EXISTS main.${DECISIONS_TABLE} (${COLUMNS})`);
          this.decisionsTable = true;
        }
        const rows = `[${batch.join(',')}]`;
        await this.db.transaction(async (connection) => {
          await exec(connection, INSERT_DECISIONS, [rows]);
          await exec(connection, INSERT_REVIEWS, [rows]);
        });
      } catch (error) {
        this.buffer.unshift(...batch);
        this.logger.error({ err: error, rows: batch.length }, 'fraud decision log: write failed; will retry');
        return false;
      }
    }
    return true;
  }
}

/**
 * One decision as a JSON row of ROW_STRUCTURE. Times are ISO text of whole milliseconds, as the
 * decision saw them; `transaction` (the request, for the analyst) only on decisions that are queued.
 */
function decisionRow(tx: Transaction, result: FraudResult, at: number): string {
  const queued = result.decision === 'REVIEW' || result.decision === 'BLOCK';
  return JSON.stringify({
    transaction_id: tx.transaction_id,
    user_id: tx.user_id,
    amount: tx.amount,
    currency: tx.currency,
    merchant_id: tx.merchant_id,
    merchant_category: tx.merchant_category,
    device_id: tx.device_id,
    payment_method: tx.payment_method,
    ts: new Date(Date.parse(tx.timestamp)).toISOString(),
    lat: tx.location.lat,
    lon: tx.location.lon,
    decision: result.decision,
    score: result.score,
    method: result.method,
    reasons: JSON.stringify(result.reasons),
    latency_ms: result.latency_ms,
    decided_at: new Date(at).toISOString(),
    transaction: queued ? JSON.stringify(tx) : null,
  });
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
