import type { ParallelPool } from '../core/parallel.js';
import type { FeatureMatrix } from '../ml/matrix.js';
import type { Random } from '../core/random.js';
import type { SupervisedTask } from './spec.js';

/**
 * A fitted learner behind one face, whatever the algorithm: the training pipeline, the artifact
 * format and serving use only this.
 */
export interface Estimator {
  readonly algorithm: string;
  /**
   * Predictions for every row: binary P(positive class) per row; multiclass row-major
   * probabilities (rows × classes); regression values. Algorithms that can split a large batch
   * across worker threads use `options.pool`; the others ignore it.
   */
  predict(X: FeatureMatrix, options?: { pool?: ParallelPool }): Float64Array;
  /** Per-row feature contributions to the raw score, where the algorithm has them (trees: TreeSHAP). */
  explain?(x: Float64Array): Float64Array;
  /** Relative importance of each feature, where the algorithm has it. */
  importance?(): Float64Array;
  /** Scores the fit itself measured (a forest's out-of-bag score), reported beside the test metrics. */
  readonly fitMetrics?: Readonly<Record<string, number>>;
  /** The fitted state as JSON, loaded back by the algorithm's `load`. */
  toJSON(): unknown;
}

export interface FitInput {
  task: SupervisedTask;
  X: FeatureMatrix;
  y: Float64Array;
  /** Number of classes for classification (2 for binary). */
  classes: number;
  params: Record<string, unknown>;
  random: Random;
  onProgress?: (fraction: number, message?: string) => void;
  /** Worker threads the fit may spread over where the algorithm can (the model is the same either way). */
  pool?: ParallelPool;
}

/** How one algorithm is fitted and loaded. */
export interface Algorithm {
  readonly name: string;
  readonly tasks: readonly SupervisedTask[];
  /** The spec params it accepts (snake_case, as users write them). */
  readonly params: readonly string[];
  fit(input: FitInput): Estimator | Promise<Estimator>;
  load(json: unknown, task: SupervisedTask): Estimator;
}
