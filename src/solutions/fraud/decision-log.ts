import type { DuckDBValue } from '@duckdb/node-api';
import { CairnError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../warehouse/database.js';
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

const FLUSH_ROWS = 500;

/**
 * Buffers decisions and writes them in multi-row inserts (at most every `intervalMs`), so the
 * scoring path never waits on the database; REVIEW and BLOCK decisions also enter the review queue.
 */
export class DecisionLog {
  private buffer: { tx: Transaction; result: FraudResult; at: string }[] = [];
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
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
    this.buffer.push({ tx, result, at: new Date().toISOString() });
    if (this.buffer.length >= 10 * FLUSH_ROWS) void this.flush();
  }

  /** Writes what is buffered; resolves when it is in the database. */
  flush(): Promise<void> {
    this.flushing = this.flushing
      .then(() => this.write())
      .catch((error: unknown) => {
        this.logger.error({ err: error }, 'fraud decision log: write failed');
      });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, FLUSH_ROWS);
      const params: DuckDBValue[] = [];
      const tuples = batch.map(({ tx, result, at }, r) => {
        params.push(
          tx.transaction_id,
          tx.user_id,
          tx.amount,
          tx.currency,
          tx.merchant_id,
          tx.merchant_category,
          tx.device_id,
          tx.payment_method,
          tx.timestamp,
          tx.location.lat,
          tx.location.lon,
          result.decision,
          result.score,
          result.method,
          JSON.stringify(result.reasons),
          result.latency_ms,
          at,
        );
        const base = r * 17;
        return `(${Array.from({ length: 17 }, (_, k) => `$${base + k + 1}`).join(', ')})`;
      });
      const reviews = batch.filter(
        ({ result }) => result.decision === 'REVIEW' || result.decision === 'BLOCK',
      );
      if (!this.decisionsTable) {
        await this.db.run(`CREATE TABLE IF NOT EXISTS main.${DECISIONS_TABLE} (${COLUMNS})`);
        this.decisionsTable = true;
      }
      await this.db.transaction(async (connection) => {
        await connection.run(`INSERT INTO main.${DECISIONS_TABLE} VALUES ${tuples.join(', ')}`, params);
        for (const { tx, result, at } of reviews) {
          await connection.run(
            `INSERT INTO ${REVIEWS_TABLE} (transaction_id, decision, score, reasons, transaction, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
            [
              tx.transaction_id,
              result.decision,
              result.score,
              JSON.stringify(result.reasons),
              JSON.stringify(tx),
              at,
            ],
          );
        }
      });
    }
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
