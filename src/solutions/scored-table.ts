import { CairnError } from '../core/errors.js';
import type { Column, Frame } from '../core/frame.js';
import { loadModel } from '../models/load.js';
import { predictionColumns, type TrainedModel } from '../models/model.js';
import { resolveVersion } from '../models/registry.js';
import type { ModelSpec } from '../models/spec.js';
import { relationOf } from '../models/training-data.js';
import type { Database } from '../warehouse/database.js';
import { readFrame } from '../warehouse/frame-io.js';

/** Rows scored at most; a larger table is scored on a seeded sample of this many rows. */
export const MAX_SCORED_ROWS = 100_000;
const SAMPLE_SEED = 42;

export interface ScoredTable {
  model: TrainedModel;
  /** What was scored: a table's name, else the source's label (`file:…`, `query:…`). */
  source: string;
  /** Rows in the source; `frame.rows` is fewer when it was sampled. */
  totalRows: number;
  frame: Frame;
  /** The model's output columns for `frame`'s rows (cluster, x, y; anomaly_score, is_anomaly …). */
  outputs: Column[];
}

/**
 * Scores rows with a registered model of the given task (default version: production, else newest):
 * a warehouse table, by default the data it was trained on (table, file or query). Above `maxRows`
 * rows, a seeded sample.
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
  const data =
    request.table === undefined
      ? (entry.spec.data as ModelSpec['data'] | undefined)
      : { table: request.table };
  if (data === undefined || (!data.table && !data.file && !data.query)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `model '${entry.name}' v${entry.version} records no training data to score; name a table with ?table=`,
    );
  }
  const { sql, source } = await relationOf(db, data);
  const [{ n }] = await db.rows(`SELECT count(*) AS n FROM ${sql} AS counted`);
  const totalRows = Number(n);
  const maxRows = request.maxRows ?? MAX_SCORED_ROWS;
  const sample =
    totalRows > maxRows ? ` USING SAMPLE reservoir(${maxRows} ROWS) REPEATABLE (${SAMPLE_SEED})` : '';
  const frame = await readFrame(db, `SELECT * FROM ${sql} AS scored${sample}`);
  const model = await loadModel(db, artifactsDir, entry.name, entry.version);
  return {
    model,
    source: data.table ?? source,
    totalRows,
    frame,
    outputs: predictionColumns(model, frame),
  };
}

/** `count` row indices spread over n rows, in order: every row when n ≤ count. */
export function spreadIndex(n: number, count: number): Uint32Array {
  if (n <= count) return Uint32Array.from({ length: n }, (_, i) => i);
  return Uint32Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
}
