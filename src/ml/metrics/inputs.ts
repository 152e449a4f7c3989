import { CairnError } from '../../core/errors.js';

/**
 * Argument checks shared by every metric. Each one throws INVALID_ARGUMENT naming the metric, the
 * argument, the row and the bad value, so a caller can act on it. Inputs are read, never modified.
 */

/** Optional per-row weights (non-negative, finite), as scikit-learn's `sample_weight`. */
export interface WeightOption {
  sampleWeight?: ArrayLike<number>;
}

export function fail(metric: string, why: string): never {
  throw new CairnError('INVALID_ARGUMENT', `${metric}: ${why}`);
}

export function checkLength(metric: string, name: string, values: ArrayLike<number>, n: number): void {
  if (values.length !== n) fail(metric, `'${name}' has ${values.length} rows but y_true has ${n}`);
}

export function checkNotEmpty(metric: string, n: number): void {
  if (n === 0) fail(metric, 'y_true is empty; a metric needs at least one row');
}

/** y_true must hold 0 or 1 only. */
export function checkBinaryLabels(metric: string, yTrue: ArrayLike<number>): void {
  checkNotEmpty(metric, yTrue.length);
  for (let i = 0; i < yTrue.length; i++) {
    const v = yTrue[i];
    if (v !== 0 && v !== 1) fail(metric, `y_true[${i}] is ${v}; expected 0 or 1`);
  }
}

/** Class labels must be whole numbers 0..k-1. */
export function checkClassLabels(metric: string, yTrue: ArrayLike<number>, k: number): void {
  checkNotEmpty(metric, yTrue.length);
  for (let i = 0; i < yTrue.length; i++) {
    const v = yTrue[i];
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      fail(metric, `y_true[${i}] is ${v}; expected a class code from 0 to ${k - 1}`);
    }
  }
}

/** NaN is refused; ±Infinity is allowed for scores that only rank (a decision function may reach it). */
export function checkNotNaN(metric: string, name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) fail(metric, `'${name}'[${i}] is NaN; drop or impute missing rows first`);
  }
}

export function checkFinite(metric: string, name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]))
      fail(metric, `'${name}'[${i}] is ${values[i]}; expected a finite number`);
  }
}

export function checkProbabilities(metric: string, name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v <= 1)) fail(metric, `'${name}'[${i}] is ${v}; expected a probability in [0, 1]`);
  }
}

/** The weights, or null for unweighted; checks length, sign and that some weight is positive. */
export function checkWeights(
  metric: string,
  weights: ArrayLike<number> | undefined,
  n: number,
): ArrayLike<number> | null {
  if (weights === undefined) return null;
  checkLength(metric, 'sampleWeight', weights, n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (!(w >= 0 && w < Infinity)) fail(metric, `sampleWeight[${i}] is ${w}; expected a finite weight >= 0`);
    total += w;
  }
  if (total === 0) fail(metric, 'every sample weight is 0');
  return weights;
}

/** The mean of `values` weighted by `weights` (np.average's order of operations). */
export function weightedMean(values: Float64Array, weights: ArrayLike<number> | null): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights === null ? 1 : weights[i];
    sum += values[i] * w;
    total += w;
  }
  return sum / total;
}
