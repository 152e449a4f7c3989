import type { ParallelPool } from '../../core/parallel.js';
import type { FeatureMatrix } from '../../ml/matrix.js';
import type { Estimator } from '../estimator.js';
import type { FeatureSpec } from '../features.js';
import type { UnsupervisedTask } from '../spec.js';
import type { OutputSpec } from '../target.js';

/** A label column the metrics compare with: class codes for the rows that have a label. */
export interface Labels {
  /** Class codes (for anomaly: 1 = the positive, anomalous class). */
  y: Float64Array;
  /** The training rows the codes belong to. */
  rows: Uint32Array;
  classes: string[];
}

export interface UnsupervisedFitInput {
  /** Every training row, as `buildMatrix` makes it (NaN missing, categorical codes). */
  X: FeatureMatrix;
  features: FeatureSpec[];
  /** The spec's params, snake_case. */
  params: Record<string, unknown>;
  seed: number;
  labels?: Labels;
  onProgress?: (fraction: number, message?: string) => void;
  /** Worker threads the fit may spread over where the algorithm can (the model is the same either way). */
  pool?: ParallelPool;
}

export interface UnsupervisedFit {
  /** `predict` gives row-major rows × outputs.length values, in `outputs` order. */
  estimator: Estimator;
  outputs: OutputSpec[];
  /** Measured on the training rows (there is no target to hold out for). */
  metrics: Record<string, number>;
  /** What the training report shows beside the metrics (candidates tried, fills). */
  details?: Record<string, unknown>;
}

/** How one unsupervised algorithm is fitted (with its metrics) and loaded. */
export interface UnsupervisedAlgorithm {
  readonly name: string;
  readonly task: UnsupervisedTask;
  /** The spec params it accepts, snake_case. */
  readonly params: readonly string[];
  fit(input: UnsupervisedFitInput): UnsupervisedFit;
  load(json: unknown): Estimator;
}

/** Row-major rows × columns from per-output columns. */
export function interleave(columns: readonly ArrayLike<number>[], rows: number): Float64Array {
  const width = columns.length;
  const out = new Float64Array(rows * width);
  columns.forEach((values, c) => {
    for (let i = 0; i < rows; i++) out[i * width + c] = values[i];
  });
  return out;
}
