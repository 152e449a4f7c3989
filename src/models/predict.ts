import { randomUUID } from 'node:crypto';
import { CairnError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import type { Database } from '../warehouse/database.js';
import { copyToFile, exportFormatFromName } from '../warehouse/export.js';
import { readFrame, writeFrame } from '../warehouse/frame-io.js';
import { STAGE_PREFIX } from '../warehouse/ingest/stage.js';
import { tableOrFile } from '../warehouse/relation.js';
import { ident } from '../warehouse/sql.js';
import { loadModel } from './load.js';
import { predictionColumns } from './model.js';

export interface PredictRequest {
  model: string;
  version?: number;
  /** A warehouse table or a CSV/JSON/NDJSON/Parquet file. */
  input: string;
  /** The file to write: the input's columns plus the prediction columns. */
  output: string;
}

export interface PredictReport {
  model: string;
  version: number;
  rows: number;
  output: string;
  columns: string[];
}

/** Appends prediction columns to a frame; input columns of the same name are replaced, not duplicated. */
export function withPredictions(frame: Frame, predictions: Frame['columns']): Frame {
  const added = new Set(predictions.map((c) => c.name));
  return { rows: frame.rows, columns: [...frame.columns.filter((c) => !added.has(c.name)), ...predictions] };
}

/** Puts filled columns where the input had them, so an imputed file reads like its input. */
export function withFilled(frame: Frame, filled: Frame['columns']): Frame {
  const byName = new Map(filled.map((c) => [c.name, c]));
  return { rows: frame.rows, columns: frame.columns.map((c) => byName.get(c.name) ?? c) };
}

/** Scores a table or file with a registered model and writes the result to a file. */
export async function predictToFile(
  db: Database,
  artifactsDir: string,
  request: PredictRequest,
): Promise<PredictReport> {
  exportFormatFromName(request.output); // fail on a bad output name before any work
  const model = await loadModel(db, artifactsDir, request.model, request.version);
  const frame = await readFrame(db, `SELECT * FROM ${await tableOrFile(db, request.input)}`);
  if (frame.rows === 0) throw new CairnError('INVALID_ARGUMENT', `input '${request.input}' has no rows`);
  const columns = predictionColumns(model, frame);
  const scored =
    model.artifact.task === 'impute' ? withFilled(frame, columns) : withPredictions(frame, columns);
  const stage = `${STAGE_PREFIX}predict_${randomUUID().replaceAll('-', '')}`;
  await writeFrame(db, stage, scored);
  try {
    const { file: output } = await copyToFile(db, `main.${ident(stage)}`, request.output);
    return {
      model: model.artifact.name,
      version: model.artifact.version,
      rows: scored.rows,
      output,
      columns: scored.columns.map((c) => c.name),
    };
  } finally {
    await db.run(`DROP TABLE IF EXISTS main.${ident(stage)}`);
  }
}
