import { column, toFloat64, type Frame } from '../core/frame.js';
import { strataByClass, strataByQuantile } from '../ml/selection/strata.js';
import { trainTestSplit, type Split } from '../ml/selection/split.js';
import { timeOrderedSplit } from '../ml/selection/time-split.js';
import { takeRows, type FeatureMatrix } from '../ml/matrix.js';
import { requireTable } from '../warehouse/catalog.js';
import type { Database } from '../warehouse/database.js';
import { readFrame } from '../warehouse/frame-io.js';
import { checkSelect } from '../warehouse/query.js';
import { fileRelation } from '../warehouse/relation.js';
import { ident } from '../warehouse/sql.js';
import { asText } from '../warehouse/values.js';
import { buildMatrix, chooseFeatures, type DroppedColumn, type FeatureSpec } from './features.js';
import type { DataFingerprint } from './registry.js';
import { isUnsupervised, targetOf, type ModelSpec } from './spec.js';
import { encodeTarget, type SupervisedTarget } from './target.js';

/** A spec's data, ready to learn from: features, target, and the held-out split. */
export interface TrainingData {
  fingerprint: DataFingerprint;
  target: SupervisedTarget;
  features: FeatureSpec[];
  dropped: DroppedColumn[];
  train: { X: FeatureMatrix; y: Float64Array };
  test: { X: FeatureMatrix; y: Float64Array };
}

/** The spec's data source as a relation to select from, and a label for lineage. */
export async function relationOf(
  db: Database,
  data: ModelSpec['data'],
): Promise<{ sql: string; source: string }> {
  if (data.table)
    return { sql: `main.${ident(await requireTable(db, data.table))}`, source: `table:${data.table}` };
  if (data.file) return { sql: fileRelation(data.file), source: `file:${data.file}` };
  await checkSelect(db, data.query!);
  return { sql: `(${data.query!})`, source: `query:${data.query!}` };
}

export async function fingerprintOf(db: Database, sql: string, source: string): Promise<DataFingerprint> {
  // A sum of row hashes is independent of row order, which SQL does not promise.
  const [row] = await db.rows(
    `SELECT count(*) AS n, lpad(printf('%x', CAST(sum(CAST(hash(t) AS HUGEINT)) % 18446744073709551616 AS UBIGINT)), 16, '0') AS h
     FROM ${sql} AS t`,
  );
  return { source, rows: Number(row?.n ?? 0), hash: asText(row?.h) };
}

function splitRows(
  spec: ModelSpec,
  frame: Frame,
  rows: Uint32Array,
  target: SupervisedTarget,
  y: Float64Array,
): Split {
  const { test_fraction: testFraction, seed, method, order_by: orderBy } = spec.validation;
  if (method === 'time') {
    const order = toFloat64(column(frame, orderBy!));
    return timeOrderedSplit(
      Float64Array.from(rows, (r) => order[r]),
      { testFraction },
    );
  }
  const strata = target.task === 'regression' ? strataByQuantile(y) : strataByClass(y);
  return trainTestSplit(rows.length, { testFraction, seed: seed ?? spec.seed, strata });
}

/** Reads and prepares a spec's data: target, features, and a train/test split for honest metrics. */
export async function prepareTrainingData(db: Database, spec: ModelSpec): Promise<TrainingData> {
  const { sql, source } = await relationOf(db, spec.data);
  const fingerprint = await fingerprintOf(db, sql, source);
  const frame = await readFrame(db, `SELECT * FROM ${sql}`);
  const target = targetOf(spec);
  const task = isUnsupervised(spec.task) ? undefined : spec.task;
  const encoded = encodeTarget(column(frame, target), task, spec.positive_class);
  const { features, dropped } = chooseFeatures(frame, target, spec.features);
  const X = buildMatrix(frame, features, encoded.rows);
  const split = splitRows(spec, frame, encoded.rows, encoded.info, encoded.y);
  const part = (index: Uint32Array) => ({
    X: takeRows(X, index),
    y: Float64Array.from(index, (i) => encoded.y[i]),
  });
  return {
    fingerprint,
    target: encoded.info,
    features,
    dropped,
    train: part(split.train),
    test: part(split.test),
  };
}
