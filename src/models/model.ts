import type { Column, Frame } from '../core/frame.js';
import type { ParallelPool } from '../core/parallel.js';
import type { ModelArtifact } from './artifact.js';
import type { Estimator } from './estimator.js';
import { buildMatrix } from './features.js';

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
 * `pool` spreads a large batch over worker threads where the algorithm can.
 */
export function predictionColumns(
  model: TrainedModel,
  frame: Frame,
  options: { pool?: ParallelPool } = {},
): Column[] {
  const { target, features } = model.artifact;
  const scores = model.estimator.predict(buildMatrix(frame, features), options);
  const n = frame.rows;
  if (target.task === 'regression') return [float64Column('prediction', scores)];
  const classes = target.classes!;
  if (target.task === 'binary') {
    const codes = Int32Array.from(scores, (p) => (p >= DECISION_THRESHOLD ? 1 : 0));
    return [labelColumn('prediction', classes, codes), float64Column('probability', scores)];
  }
  const K = classes.length;
  const codes = new Int32Array(n);
  const perClass = classes.map(() => new Float64Array(n));
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let k = 0; k < K; k++) {
      const p = scores[r * K + k];
      perClass[k][r] = p;
      if (p > scores[r * K + best]) best = k;
    }
    codes[r] = best;
  }
  return [
    labelColumn('prediction', classes, codes),
    ...classes.map((c, k) => float64Column(`probability_${c}`, perClass[k])),
  ];
}
