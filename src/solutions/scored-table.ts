import { CairnError } from '../core/errors.js';
import type { Column, Frame } from '../core/frame.js';
import { loadModel } from '../models/load.js';
import { predictionColumns, type TrainedModel } from '../models/model.js';
import { resolveVersion } from '../models/registry.js';
import { countRows, requireTable } from '../warehouse/catalog.js';
import type { Database } from '../warehouse/database.js';
import { readFrame } from '../warehouse/frame-io.js';
import { ident } from '../warehouse/sql.js';

/** Rows scored at most; a larger table is scored on a seeded sample of this many rows. */
export const MAX_SCORED_ROWS = 100_000;
const SAMPLE_SEED = 42;

export interface ScoredTable {
  model: TrainedModel;
  table: string;
  /** Rows in the table; `frame.rows` is fewer when it was sampled. */
  totalRows: number;
  frame: Frame;
  /** The model's output columns for `frame`'s rows (cluster, x, y; anomaly_score, is_anomaly …). */
  outputs: Column[];
}

/**
 * Scores a warehouse table with a registered model of the given task (default version: production,
 * else newest; default table: the one it was trained on). Above `maxRows` rows, a seeded sample.
 */
export async function scoreTable(
  db: Database,
  artifactsDir: string,
  request: { model: string; task: string; version?: number; table?: string; maxRows?: number },
): Promise<ScoredTable> {
  const entry = await resolveVersion(db, request.model, request.version);
  if (entry.task !== request.task) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `model '${entry.name}' v${entry.version} has task '${entry.task}'; this view needs a model of task '${request.task}'`,
    );
  }
  const table = request.table ?? trainingTable(entry.name, entry.data.source);
  await requireTable(db, table);
  const totalRows = await countRows(db, table);
  const maxRows = request.maxRows ?? MAX_SCORED_ROWS;
  const sample =
    totalRows > maxRows ? ` USING SAMPLE reservoir(${maxRows} ROWS) REPEATABLE (${SAMPLE_SEED})` : '';
  const frame = await readFrame(db, `SELECT * FROM main.${ident(table)}${sample}`);
  const model = await loadModel(db, artifactsDir, entry.name, entry.version);
  return { model, table, totalRows, frame, outputs: predictionColumns(model, frame) };
}

function trainingTable(model: string, source: string): string {
  if (source.startsWith('table:')) return source.slice('table:'.length);
  throw new CairnError(
    'INVALID_ARGUMENT',
    `model '${model}' was trained on ${source}, not a warehouse table; name the table to score with ?table=`,
  );
}

/** `count` row indices spread over n rows, in order: every row when n ≤ count. */
export function spreadIndex(n: number, count: number): Uint32Array {
  if (n <= count) return Uint32Array.from({ length: n }, (_, i) => i);
  return Uint32Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
}
