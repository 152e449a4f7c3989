import type { DuckDBConnection } from '@duckdb/node-api';
import type { Database } from '../../warehouse/database.js';
import { META_SCHEMA } from '../../warehouse/metadata.js';
import { asText } from '../../warehouse/values.js';

/**
 * Checkpoints of batch scoring: one run per output table, and one row per committed chunk. A chunk's
 * output rows and its row here are written in one transaction, so after a crash every chunk is
 * either wholly in the output and recorded, or in neither.
 */
export const SCORE_TABLES = {
  runs: `${META_SCHEMA}.score_runs`,
  chunks: `${META_SCHEMA}.score_chunks`,
} as const;

/** What a run scored and the input it saw; a resume needs all of it unchanged. */
export interface ScoreRun {
  id: string;
  output: string;
  input: string;
  model: string;
  version: number;
  chunkRows: number;
  inputRows: number;
  /** The input's largest rowid when the run began (rowids 0..maxRowid are chunked). */
  maxRowid: number;
  finished: boolean;
}

export async function ensureScoreTables(db: Database): Promise<void> {
  await db.run(`
    CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
    CREATE TABLE IF NOT EXISTS ${SCORE_TABLES.runs} (
      id VARCHAR NOT NULL,
      output_table VARCHAR NOT NULL,
      input_table VARCHAR NOT NULL,
      model VARCHAR NOT NULL,
      version INTEGER NOT NULL,
      chunk_rows BIGINT NOT NULL,
      input_rows BIGINT NOT NULL,
      max_rowid BIGINT NOT NULL,
      started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      finished_at TIMESTAMPTZ
    );
    CREATE TABLE IF NOT EXISTS ${SCORE_TABLES.chunks} (
      run_id VARCHAR NOT NULL,
      chunk BIGINT NOT NULL,
      rows BIGINT NOT NULL
    );
  `);
}

/** The latest run that wrote `output` (case-insensitive, as DuckDB names are), or null. */
export async function findRun(db: Database, output: string): Promise<ScoreRun | null> {
  const [row] = await db.rows(
    `SELECT * FROM ${SCORE_TABLES.runs} WHERE lower(output_table) = lower($1) ORDER BY started_at DESC LIMIT 1`,
    [output],
  );
  if (!row) return null;
  return {
    id: asText(row.id),
    output: asText(row.output_table),
    input: asText(row.input_table),
    model: asText(row.model),
    version: Number(row.version),
    chunkRows: Number(row.chunk_rows),
    inputRows: Number(row.input_rows),
    maxRowid: Number(row.max_rowid),
    finished: row.finished_at !== null,
  };
}

/** Forgets every earlier run into the same output and records `run`, inside the caller's transaction. */
export async function recordRun(connection: DuckDBConnection, run: ScoreRun): Promise<void> {
  await connection.run(
    `DELETE FROM ${SCORE_TABLES.chunks} WHERE run_id IN (SELECT id FROM ${SCORE_TABLES.runs} WHERE lower(output_table) = lower($1))`,
    [run.output],
  );
  await connection.run(`DELETE FROM ${SCORE_TABLES.runs} WHERE lower(output_table) = lower($1)`, [
    run.output,
  ]);
  await connection.run(
    `INSERT INTO ${SCORE_TABLES.runs} (id, output_table, input_table, model, version, chunk_rows, input_rows, max_rowid)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [run.id, run.output, run.input, run.model, run.version, run.chunkRows, run.inputRows, run.maxRowid],
  );
}

/** The committed chunks of a run and the rows they hold. */
export async function committedChunks(db: Database, runId: string): Promise<Map<number, number>> {
  const rows = await db.rows(`SELECT chunk, rows FROM ${SCORE_TABLES.chunks} WHERE run_id = $1`, [runId]);
  return new Map(rows.map((r) => [Number(r.chunk), Number(r.rows)]));
}

export async function finishRun(db: Database, runId: string): Promise<void> {
  await db.run(`UPDATE ${SCORE_TABLES.runs} SET finished_at = now() WHERE id = $1`, [runId]);
}
