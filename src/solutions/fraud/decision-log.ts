import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import os from 'node:os';
import path from 'node:path';
import { CairnError } from '../../core/errors.js';
import { serialRuns } from '../../core/serial-runs.js';
import type { Logger } from '../../core/logger.js';
import { exec, type Database } from '../../warehouse/database.js';
import { META_SCHEMA } from '../../warehouse/metadata.js';
import { literal } from '../../warehouse/sql.js';
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

/** `read_json` column types of a decision row (`{tx, result, at}`); extra keys in a row are ignored. */
const TRANSACTION_TYPE = `STRUCT(transaction_id VARCHAR, user_id VARCHAR, amount DOUBLE, currency VARCHAR,
  merchant_id VARCHAR, merchant_category VARCHAR, device_id VARCHAR, payment_method VARCHAR,
  "timestamp" TIMESTAMPTZ, location STRUCT(lat DOUBLE, lon DOUBLE))`;
const RESULT_TYPE =
  'STRUCT(decision VARCHAR, score INTEGER, method VARCHAR, reasons JSON, latency_ms DOUBLE)';
const readRows = (file: string, transactionType: string) =>
  `read_json(${literal(file)}, format = 'newline_delimited',
     columns = {tx: ${literal(transactionType)}, result: ${literal(RESULT_TYPE)}, "at": 'TIMESTAMPTZ'})`;
const insertDecisions = (file: string) => `INSERT INTO main.${DECISIONS_TABLE}
  SELECT tx.transaction_id, tx.user_id, tx.amount, tx.currency, tx.merchant_id, tx.merchant_category,
         tx.device_id, tx.payment_method, tx."timestamp", tx.location.lat, tx.location.lon,
         result.decision, result.score, result.method, result.reasons, result.latency_ms, "at"
  FROM ${readRows(file, TRANSACTION_TYPE)}`;
// The review queue keeps the transaction as JSON, for the analyst.
const insertReviews = (file: string) => `INSERT INTO ${REVIEWS_TABLE}
    (transaction_id, decision, score, reasons, transaction, created_at)
  SELECT tx->>'$.transaction_id', result.decision, result.score, result.reasons, tx, "at"
  FROM ${readRows(file, 'JSON')}
  ON CONFLICT DO NOTHING`;

/**
 * Buffers decisions and writes them in micro-batches (at most every `intervalMs`), so the scoring
 * path never waits on the database; REVIEW and BLOCK decisions also enter the review queue. Each
 * decision becomes its JSON line when it is added (a few microseconds per request), and a batch is
 * staged as a newline-delimited file that DuckDB's JSON reader loads on its own threads: an appender
 * or thousands of bound values would hold the event loop for milliseconds, and the same rows as one
 * JSON parameter cost DuckDB 3.5 times the CPU of the file (33 against 9 µs a row). A batch that
 * fails to write stays buffered and is tried again.
 */
export class DecisionLog {
  /** JSON lines (`{tx, result, at}`), oldest first, and whether each is queued for review. */
  private buffer: string[] = [];
  private queued: boolean[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly writes = serialRuns(() => this.write());
  private addedRows = 0;
  private writtenRows = 0;
  private readonly writtenListeners = new Set<(written: number) => void>();
  private decisionsTable = false;
  private staging: string | undefined;
  private connection: DuckDBConnection | undefined;
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
    this.addedRows++;
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

  /** Decisions added since the log opened; the first `written` of them are in the database. */
  get added(): number {
    return this.addedRows;
  }

  get written(): number {
    return this.writtenRows;
  }

  /** Calls `listener` with `written` after each batch reaches the database; returns its removal. */
  onWritten(listener: (written: number) => void): () => void {
    this.writtenListeners.add(listener);
    return () => this.writtenListeners.delete(listener);
  }

  /** Writes what is buffered; resolves to true once it is in the database, false if the write failed. */
  flush(): Promise<boolean> {
    return this.writes();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    this.connection?.closeSync();
    this.connection = undefined;
    if (this.staging !== undefined) rmSync(this.staging, { recursive: true, force: true });
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
        await this.writeBatch(batch, queued);
      } catch (error) {
        this.buffer.unshift(...batch);
        this.queued.unshift(...queued);
        this.logger.error({ err: error, rows: batch.length }, 'fraud decision log: write failed; will retry');
        return false;
      }
      this.writtenRows += batch.length;
      for (const listener of this.writtenListeners) listener(this.writtenRows);
    }
    return true;
  }

  /**
   * One batch in one transaction. The staging files are written synchronously (about a millisecond
   * a batch, into the page cache) and the statements sent as one call on the log's own connection:
   * each asynchronous step waits for a turn of a busy event loop, and the seven or so of a chunked
   * file write and a fresh connection held batches for 100–350 ms.
   */
  private async writeBatch(batch: string[], queued: boolean[]): Promise<void> {
    const staging = (this.staging ??= mkdtempSync(path.join(os.tmpdir(), 'cairn-decisions-')));
    const decisions = path.join(staging, 'decisions.ndjson');
    writeFileSync(decisions, batch.join('\n'));
    const statements = [insertDecisions(decisions)];
    if (!this.decisionsTable)
      statements.unshift(`CREATE TABLE IF NOT EXISTS main.${DECISIONS_TABLE} (${COLUMNS})`);
    // The review queue gets its few rows as their own file: reading the whole batch twice took
    // longer than everything else in the write.
    const reviewRows = batch.filter((_, i) => queued[i]);
    if (reviewRows.length > 0) {
      const reviews = path.join(staging, 'reviews.ndjson');
      writeFileSync(reviews, reviewRows.join('\n'));
      statements.push(insertReviews(reviews));
    }
    const connection = (this.connection ??= await this.db.connect());
    try {
      await exec(connection, `BEGIN TRANSACTION; ${statements.join(';\n')}; COMMIT`);
    } catch (error) {
      // Closing the connection rolls back the open transaction; the next batch opens another.
      this.connection = undefined;
      connection.closeSync();
      throw error;
    }
    this.decisionsTable = true;
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
