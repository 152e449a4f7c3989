import type { Column, Frame } from '../core/frame.js';
import type { ParallelPool } from '../core/parallel.js';
import type { ModelArtifact } from './artifact.js';
import type { Estimator } from './estimator.js';
import { buildMatrix } from './features.js';
import type { TargetInfo } from './target.js';
import { filledColumns, outputColumns, outputRecords, outputSqlType } from './unsupervised/outputs.js';

/** A trained version ready to predict: its artifact (schema, target, metrics) and fitted estimator. */
export interface TrainedModel {
  readonly artifact: ModelArtifact;
  readonly estimator: Estimator;
}

/** Binary classification decides the positive class at this probability. */
export const DECISION_THRESHOLD = 0.5;

function float64Column(name: string, values: Float64Array): Column {
  return { name, kind: 'float64', length: values.length, values, valid: null };
}

function labelColumn(name: string, classes: string[], codes: Int32Array): Column {
  return { name, kind: 'string', length: codes.length, codes, dictionary: classes, valid: null };
}

/**
 * The columns a prediction adds to its input: `prediction` (the class label, or the value), and for
 * classification `probability` (binary: of the positive class) or `probability_<class>` per class.
 * Unsupervised models add their outputs: `cluster` (and `x`, `y` with a projection),
 * `anomaly_score` and `is_anomaly`, or for impute the input's own columns with their gaps filled.
 * `pool` spreads a large batch over worker threads where the algorithm can.
 */
export function predictionColumns(
  model: TrainedModel,
  frame: Frame,
  options: { pool?: ParallelPool } = {},
): Column[] {
  const scores = model.estimator.predict(buildMatrix(frame, model.artifact.features), options);
  return columnsFromScores(model.artifact.target, frame, scores);
}

/** predictionColumns' columns from the scores the model's estimator gave for the frame's rows. */
export function columnsFromScores(target: TargetInfo, frame: Frame, scores: Float64Array): Column[] {
  if (target.outputs !== undefined) {
    return target.task === 'impute'
      ? filledColumns(target.outputs, scores, frame)
      : outputColumns(target.outputs, scores);
  }
  if (target.task === 'regression') return [float64Column('prediction', scores)];
  const classes = target.classes!;
  const codes = chosenClasses(target, scores);
  if (target.task === 'binary')
    return [labelColumn('prediction', classes, codes), float64Column('probability', scores)];
  const K = classes.length;
  return [
    labelColumn('prediction', classes, codes),
    ...classes.map((c, k) =>
      float64Column(
        `probability_${c}`,
        Float64Array.from(codes, (_, r) => scores[r * K + k]),
      ),
    ),
  ];
}

/** One prediction as an API returns it: the same fields `predictionColumns` writes as columns. */
export type PredictionRecord = Record<string, string | number>;

export function predictionRecords(target: TargetInfo, scores: Float64Array): PredictionRecord[] {
  if (target.outputs !== undefined) return outputRecords(target.outputs, scores);
  if (target.task === 'regression') return Array.from(scores, (prediction) => ({ prediction }));
  const classes = target.classes!;
  const codes = chosenClasses(target, scores);
  if (target.task === 'binary')
    return Array.from(codes, (code, r) => ({ prediction: classes[code], probability: scores[r] }));
  const K = classes.length;
  return Array.from(codes, (code, r) => {
    const record: PredictionRecord = { prediction: classes[code] };
    classes.forEach((c, k) => (record[`probability_${c}`] = scores[r * K + k]));
    return record;
  });
}

/** A prediction column's name and SQL type, for writers that create the output table first. */
export interface PredictionOutput {
  name: string;
  type: 'VARCHAR' | 'DOUBLE' | 'INTEGER';
}

/** The names and SQL types of the columns `predictionColumns` makes for this model, in order. */
export function predictionOutputs(target: TargetInfo): PredictionOutput[] {
  if (target.outputs !== undefined) {
    return target.outputs.map((o) => ({ name: o.name, type: outputSqlType(o) }));
  }
  if (target.task === 'regression') return [{ name: 'prediction', type: 'DOUBLE' }];
  const prediction = { name: 'prediction', type: 'VARCHAR' } as const;
  if (target.task === 'binary') return [prediction, { name: 'probability', type: 'DOUBLE' }];
  return [
    prediction,
    ...(target.classes ?? []).map((c) => ({ name: `probability_${c}`, type: 'DOUBLE' as const })),
  ];
}

/** The class each row is given: binary, positive from DECISION_THRESHOLD; multiclass, the most probable (first on ties). */
export function chosenClasses(target: TargetInfo, scores: Float64Array): Int32Array {
  if (target.task === 'binary') return Int32Array.from(scores, (p) => (p >= DECISION_THRESHOLD ? 1 : 0));
  const K = target.classes!.length;
  const codes = new Int32Array(scores.length / K);
  for (let r = 0; r < codes.length; r++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (scores[r * K + k] > scores[r * K + best]) best = k;
    codes[r] = best;
  }
  return codes;
}
