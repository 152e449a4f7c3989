import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { CairnError } from '../../core/errors.js';
import type { Column, Frame } from '../../core/frame.js';
import type { ParallelPool } from '../../core/parallel.js';
import { loadModel } from '../../models/load.js';
import { predictionOutputs, type PredictionOutput } from '../../models/model.js';
import { listVersions, STAGES, type Stage } from '../../models/registry.js';
import { exec, type Database } from '../../warehouse/database.js';
import { readFrame } from '../../warehouse/frame-io.js';
import { checkTableName, ident } from '../../warehouse/sql.js';
import { asText } from '../../warehouse/values.js';
import { appendColumns } from './append-columns.js';
import { chunkScorer } from './chunk-scorer.js';
import {
  committedChunks,
  ensureScoreTables,
  findRun,
  finishRun,
  recordRun,
  SCORE_TABLES,
  type ScoreRun,
} from './score-runs.js';

/** Rows per chunk unless asked otherwise: big enough to keep worker threads busy, small enough to resume cheaply. */
export const DEFAULT_CHUNK_ROWS = 100_000;

export interface ScoreRequest {
  model: string;
  /** A registered version; absent: the `stage` version, else production, else the newest. */
  version?: number;
  stage?: Stage;
  /** The input table (main schema). */
  table: string;
  /** The output table: replaced by the input's columns plus the prediction columns. */
  into: string;
  chunkRows?: number;
}

export interface ScoreProgress {
  /** 0..1: committed chunks over all chunks. */
  fraction: number;
  rows: number;
  chunks: number;
  totalChunks: number;
}

export interface ScoreOptions {
  /** Worker threads for prediction (GBDT splits each chunk across them). */
  pool?: ParallelPool;
  /** Checked between chunks; an aborted run stops with its committed chunks kept, to resume later. */
  signal?: AbortSignal;
  /** Called after each committed chunk. */
  onProgress?: (progress: ScoreProgress) => void;
}

export interface ScoreReport {
  model: string;
  version: number;
  table: string;
  into: string;
  rows: number;
  chunks: number;
  /** Chunks a previous, interrupted run had already committed (0 for a fresh run). */
  resumedChunks: number;
  columns: string[];
  seconds: number;
}

/** Column name that carries the input's rowid through a chunk; never in the output. */
const ROWID = '__cairn_rowid';
const STAGE = '__cairn_score_stage';

/**
 * Scores a table into another, chunk by chunk in rowid order, with the same prediction columns as
 * `cairn predict`. Each chunk's output rows and its checkpoint commit together, so a run cut short
 * (crash, kill, cancel) resumes where it stopped without duplicates when asked again for the same
 * output; if the model version, input or chunk size changed meanwhile, it starts over.
 */
export async function scoreTable(
  db: Database,
  artifactsDir: string,
  request: ScoreRequest,
  options: ScoreOptions = {},
): Promise<ScoreReport> {
  const started = performance.now();
  const table = checkTableName(request.table);
  const into = checkTableName(request.into);
  if (table.toLowerCase() === into.toLowerCase()) {
    throw new CairnError('INVALID_ARGUMENT', `--into '${into}' must differ from the input table '${table}'`);
  }
  const chunkRows = request.chunkRows ?? DEFAULT_CHUNK_ROWS;
  if (!Number.isInteger(chunkRows) || chunkRows < 1 || chunkRows > 10_000_000) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `chunk rows must be an integer from 1 to 10,000,000; got ${chunkRows}`,
    );
  }
  await ensureScoreTables(db);
  const version = await chooseVersion(db, request);
  const model = await loadModel(db, artifactsDir, request.model, version);
  const input = await describeInput(db, table);
  const outputs = predictionOutputs(model.artifact.target);
  const plan: ScoreRun = {
    id: randomUUID(),
    output: into,
    input: input.name,
    model: model.artifact.name,
    version: model.artifact.version,
    chunkRows,
    inputRows: input.rows,
    maxRowid: input.maxRowid,
    finished: false,
  };
  const run = await resumeOrStart(db, plan, input.columns, outputs);
  const done = await committedChunks(db, run.id);
  const resumedChunks = done.size;
  const totalChunks = Math.ceil((run.maxRowid + 1) / run.chunkRows);
  const todo: number[] = [];
  for (let k = 0; k < totalChunks; k++) if (!done.has(k)) todo.push(k);
  let rows = [...done.values()].reduce((a, b) => a + b, 0);

  const features = [...new Set(model.artifact.features.map((f) => f.column))];
  const read = (k: number) =>
    readFrame(
      db,
      `SELECT rowid AS ${ident(ROWID)}, ${features.map(ident).join(', ')} FROM main.${ident(run.input)}
       WHERE rowid >= ${k * run.chunkRows} AND rowid < ${(k + 1) * run.chunkRows}`,
    );
  const insert = chunkInsert(run, input.columns, outputs);
  await db.use(async (connection) => {
    await exec(
      connection,
      `CREATE TEMP TABLE ${ident(STAGE)} (${ident(ROWID)} BIGINT, ${outputs.map((o) => `${ident(o.name)} ${o.type}`).join(', ')})`,
    );
    // While chunk k is predicted (on this thread, the pool, or the pool's workers alone), DuckDB
    // reads chunk k+1 and writes k−1.
    const scorer = chunkScorer(model, options.pool);
    let next = todo.length > 0 ? read(todo[0]) : null;
    let writing: Promise<void> = Promise.resolve();
    for (let i = 0; i < todo.length; i++) {
      const frame = await next!;
      next = i + 1 < todo.length ? read(todo[i + 1]) : null;
      // A failed read ahead is reported when its turn comes, not as an unhandled rejection now.
      next?.catch(() => undefined);
      const scoring = frame.rows > 0 && scorer.inWorkers ? scorer.start(frame) : null;
      try {
        await writing;
        options.signal?.throwIfAborted();
        // Workers predicting this chunk leave this thread free to take in the next one first.
        if (scoring !== null) await next?.catch(() => undefined);
      } catch (error) {
        finishQuietly(scoring);
        throw error;
      }
      const scored = scoredChunk(frame, outputs, scoring ?? (frame.rows > 0 ? scorer.start(frame) : null));
      const k = todo[i];
      writing = commitChunk(connection, run, k, scored, insert).then(() => {
        rows += frame.rows;
        done.set(k, frame.rows);
        options.onProgress?.({ fraction: done.size / totalChunks, rows, chunks: done.size, totalChunks });
      });
      writing.catch(() => undefined);
    }
    await writing;
    await exec(connection, `DROP TABLE IF EXISTS temp.${ident(STAGE)}`);
  });
  await finishRun(db, run.id);
  return {
    model: run.model,
    version: run.version,
    table: run.input,
    into: run.output,
    rows,
    chunks: totalChunks,
    resumedChunks,
    columns: [...input.columns.filter((c) => !isReplaced(c, outputs)), ...outputs.map((o) => o.name)],
    seconds: (performance.now() - started) / 1000,
  };
}

/** The version asked for by number or stage, else loadModel's default (production, else newest). */
async function chooseVersion(db: Database, request: ScoreRequest): Promise<number | undefined> {
  if (request.version !== undefined && request.stage !== undefined) {
    throw new CairnError('INVALID_ARGUMENT', 'give --version or --stage, not both');
  }
  if (request.stage === undefined) return request.version;
  if (!STAGES.includes(request.stage)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `stage '${String(request.stage)}' is not one of ${STAGES.join(', ')}`,
    );
  }
  const versions = await listVersions(db, request.model);
  const staged = versions.filter((v) => v.stage === request.stage);
  if (staged.length === 0) {
    throw new CairnError(
      'NOT_FOUND',
      `model '${request.model}' has no version in stage '${request.stage}'` +
        (versions.length
          ? `; its versions are ${versions.map((v) => `v${v.version} (${v.stage})`).join(', ')}`
          : ''),
    );
  }
  return staged[staged.length - 1].version;
}

interface InputTable {
  name: string;
  columns: string[];
  rows: number;
  maxRowid: number;
}

async function describeInput(db: Database, table: string): Promise<InputTable> {
  const [found] = await db.rows(
    `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND lower(table_name) = lower($1)`,
    [table],
  );
  if (!found) {
    const [view] = await db.rows(
      `SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND lower(view_name) = lower($1)`,
      [table],
    );
    throw view
      ? new CairnError(
          'INVALID_ARGUMENT',
          `'${table}' is a view; batch scoring reads tables in rowid order — materialise it first (CREATE TABLE … AS SELECT * FROM ${table})`,
        )
      : new CairnError('NOT_FOUND', `table '${table}' does not exist; \`cairn tables\` lists them`);
  }
  const name = asText(found.table_name);
  const columns = await db.rows(
    `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = $1 ORDER BY column_index`,
    [name],
  );
  const [stats] = await db.rows(
    `SELECT count(*) AS n, coalesce(max(rowid), -1) AS m FROM main.${ident(name)}`,
  );
  return {
    name,
    columns: columns.map((c) => asText(c.column_name)),
    rows: Number(stats.n),
    maxRowid: Number(stats.m),
  };
}

/** The prediction columns' names and SQL types: models/model.ts's, shared with `cairn predict`. */
type OutputColumn = PredictionOutput;

/** Input columns named like a prediction column are replaced by it, as `cairn predict` does. */
function isReplaced(column: string, outputs: OutputColumn[]): boolean {
  return outputs.some((o) => o.name.toLowerCase() === column.toLowerCase());
}

/** Resumes the stored run into the same output if nothing it depends on changed; else starts afresh. */
async function resumeOrStart(
  db: Database,
  plan: ScoreRun,
  inputColumns: string[],
  outputs: OutputColumn[],
): Promise<ScoreRun> {
  const previous = await findRun(db, plan.output);
  const [outputExists] = await db.rows(
    `SELECT 1 AS x FROM duckdb_tables() WHERE schema_name = 'main' AND lower(table_name) = lower($1)`,
    [plan.output],
  );
  if (
    previous &&
    !previous.finished &&
    outputExists &&
    previous.input === plan.input &&
    previous.model === plan.model &&
    previous.version === plan.version &&
    previous.chunkRows === plan.chunkRows &&
    previous.inputRows === plan.inputRows &&
    previous.maxRowid === plan.maxRowid
  ) {
    return previous;
  }
  const kept = inputColumns.filter((c) => !isReplaced(c, outputs));
  await db.transaction(async (connection) => {
    await exec(connection, `DROP TABLE IF EXISTS main.${ident(plan.output)}`);
    await exec(
      connection,
      `CREATE TABLE main.${ident(plan.output)} AS SELECT ${[
        ...kept.map((c) => `t.${ident(c)}`),
        ...outputs.map((o) => `CAST(NULL AS ${o.type}) AS ${ident(o.name)}`),
      ].join(', ')} FROM main.${ident(plan.input)} t LIMIT 0`,
    );
    await recordRun(connection, plan);
  });
  return plan;
}

/** Lets workers still predicting a chunk finish (their session must close) when the run fails meanwhile. */
function finishQuietly(scoring: (() => Column[]) | null): void {
  try {
    scoring?.();
  } catch {
    // the run's own error is the one to report
  }
}

function scoredChunk(frame: Frame, outputs: OutputColumn[], scoring: (() => Column[]) | null): Frame {
  const rowid = frame.columns[0];
  if (scoring === null) return { rows: 0, columns: [rowid] };
  const predicted = scoring();
  const byName = new Map(predicted.map((c) => [c.name, c]));
  const columns: Column[] = [rowid, ...outputs.map((o) => byName.get(o.name)!)];
  return { rows: frame.rows, columns };
}

/** The statement moving one chunk's input columns and staged predictions into the output; $1, $2 bound the rowids. */
function chunkInsert(run: ScoreRun, inputColumns: string[], outputs: OutputColumn[]): string {
  const kept = inputColumns.filter((c) => !isReplaced(c, outputs));
  const select = [...kept.map((c) => `t.${ident(c)}`), ...outputs.map((o) => `s.${ident(o.name)}`)];
  return `INSERT INTO main.${ident(run.output)}
    SELECT ${select.join(', ')}
    FROM (SELECT rowid AS ${ident(ROWID)}, * FROM main.${ident(run.input)} WHERE rowid >= $1 AND rowid < $2) t
    JOIN temp.${ident(STAGE)} s ON t.${ident(ROWID)} = s.${ident(ROWID)}
    ORDER BY t.${ident(ROWID)}`;
}

async function commitChunk(
  connection: DuckDBConnection,
  run: ScoreRun,
  k: number,
  scored: Frame,
  insert: string,
): Promise<void> {
  await exec(connection, 'BEGIN TRANSACTION');
  try {
    if (scored.rows > 0) {
      await appendColumns(connection, STAGE, scored, 'temp');
      await exec(connection, insert, [k * run.chunkRows, (k + 1) * run.chunkRows]);
      await exec(connection, `DELETE FROM temp.${ident(STAGE)}`);
    }
    await exec(connection, `INSERT INTO ${SCORE_TABLES.chunks} (run_id, chunk, rows) VALUES ($1, $2, $3)`, [
      run.id,
      k,
      scored.rows,
    ]);
    await exec(connection, 'COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
