import type { FeatureMatrix } from '../matrix.js';
import { leafOf, type Tree } from './tree.js';

/** How an ensemble's margins become predictions; the names are the spec's task objectives. */
export type EnsembleObjective = 'binary' | 'multiclass' | 'regression';

/**
 * A sum of trees: what GBDT training, XGBoost import and random forests produce, and what
 * prediction and TreeSHAP consume. Each output k (one for binary and regression, one per class for
 * multiclass) has margin `baseMargin[k] + Σ value of the leaf reached in every tree t whose
 * treeOutput[t] is k`. A forest scales its leaf values by 1/trees so the sum is the average.
 */
export interface TreeEnsemble {
  readonly objective: EnsembleObjective;
  readonly outputs: number;
  readonly baseMargin: Float64Array;
  readonly trees: readonly Tree[];
  readonly treeOutput: Int32Array;
  readonly featureNames: readonly string[];
  readonly categoryCounts: Int32Array;
}

/** Raw margins, row-major: `out[r * outputs + k]`; the first `treeLimit` trees only, when given. */
export function predictMargin(
  ensemble: TreeEnsemble,
  X: FeatureMatrix,
  treeLimit = ensemble.trees.length,
  out = new Float64Array(X.rows * ensemble.outputs),
): Float64Array {
  const K = ensemble.outputs;
  for (let r = 0; r < X.rows; r++) for (let k = 0; k < K; k++) out[r * K + k] = ensemble.baseMargin[k]!;
  for (let t = 0; t < treeLimit; t++) {
    const tree = ensemble.trees[t];
    const k = ensemble.treeOutput[t];
    for (let r = 0; r < X.rows; r++) out[r * K + k] += tree.value[leafOf(tree, X.data, r, X.rows)];
  }
  return out;
}

/** Margins of one row (a dense feature vector), for low-latency single-row scoring. */
export function predictRowMargin(
  ensemble: TreeEnsemble,
  x: Float64Array,
  out = new Float64Array(ensemble.outputs),
): Float64Array {
  out.set(ensemble.baseMargin);
  const trees = ensemble.trees;
  for (let t = 0; t < trees.length; t++) {
    const tree = trees[t];
    out[ensemble.treeOutput[t]] += tree.value[leafOf(tree, x, 0, 1)];
  }
  return out;
}

/**
 * Margins to predictions in place: the logistic function for binary (probability of class 1),
 * softmax across each row's outputs for multiclass, identity for regression.
 */
export function marginToPrediction(
  objective: EnsembleObjective,
  margins: Float64Array,
  outputs: number,
): Float64Array {
  if (objective === 'binary') {
    for (let i = 0; i < margins.length; i++) margins[i] = 1 / (1 + Math.exp(-margins[i]));
  } else if (objective === 'multiclass') {
    for (let r = 0; r < margins.length; r += outputs) {
      let max = -Infinity;
      for (let k = 0; k < outputs; k++) max = Math.max(max, margins[r + k]);
      let sum = 0;
      for (let k = 0; k < outputs; k++) sum += margins[r + k] = Math.exp(margins[r + k] - max);
      for (let k = 0; k < outputs; k++) margins[r + k] /= sum;
    }
  }
  return margins;
}
