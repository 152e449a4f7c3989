import {
  checkFinite,
  checkLength,
  checkNotEmpty,
  checkWeights,
  fail,
  weightedMean,
  type WeightOption,
} from './inputs.js';

/** Regression metrics on y_true and y_pred (n each, finite), optionally weighted, as scikit-learn 1.2. */

/** Root mean squared error, in the target's units. */
export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: WeightOption = {}): number {
  const { n, w } = checkRegression('rmse', yTrue, yPred, options);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = yTrue[i] - yPred[i];
    sq[i] = d * d;
  }
  return Math.sqrt(weightedMean(sq, w));
}

/** Mean absolute error, in the target's units. */
export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: WeightOption = {}): number {
  const { n, w } = checkRegression('mae', yTrue, yPred, options);
  const abs = new Float64Array(n);
  for (let i = 0; i < n; i++) abs[i] = Math.abs(yTrue[i] - yPred[i]);
  return weightedMean(abs, w);
}

/**
 * Coefficient of determination, 1 − SS_res / SS_tot (weighted mean for SS_tot). A constant y_true
 * makes it 0/0; like scikit-learn (`force_finite`) it is then 1 for a perfect fit and 0 otherwise.
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: WeightOption = {}): number {
  const { n, w } = checkRegression('r2', yTrue, yPred, options);
  let sumW = 0;
  let sumWy = 0;
  for (let i = 0; i < n; i++) {
    const weight = w === null ? 1 : w[i];
    sumW += weight;
    sumWy += weight * yTrue[i];
  }
  const mean = sumWy / sumW;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const weight = w === null ? 1 : w[i];
    const e = yTrue[i] - yPred[i];
    const d = yTrue[i] - mean;
    residual += weight * e * e;
    total += weight * d * d;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

export interface MapeResult {
  /** Mean of |y − ŷ| / |y| over rows whose target is not 0, as a fraction (0.12 = 12 %). */
  mape: number;
  /** Rows left out because their target is exactly 0. */
  skippedZeroTargets: number;
}

/**
 * Mean absolute percentage error. Rows with a zero target are skipped and counted, because their
 * percentage error is infinite; scikit-learn instead divides by 2.2e-16 there, giving ~1e15, so the
 * two agree exactly when no target is 0. Throws INVALID_ARGUMENT when every target is 0.
 */
export function mape(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: WeightOption = {},
): MapeResult {
  const { n, w } = checkRegression('mape', yTrue, yPred, options);
  let sum = 0;
  let total = 0;
  let skipped = 0;
  for (let i = 0; i < n; i++) {
    const y = yTrue[i];
    if (y === 0) {
      skipped++;
      continue;
    }
    const weight = w === null ? 1 : w[i];
    sum += (Math.abs(y - yPred[i]) / Math.abs(y)) * weight;
    total += weight;
  }
  if (skipped === n) fail('mape', `every one of the ${n} targets is 0; percentage error is undefined`);
  if (total === 0) fail('mape', 'every row with a non-zero target has weight 0');
  return { mape: sum / total, skippedZeroTargets: skipped };
}

function checkRegression(
  metric: string,
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: WeightOption,
): { n: number; w: ArrayLike<number> | null } {
  const n = yTrue.length;
  checkNotEmpty(metric, n);
  checkLength(metric, 'y_pred', yPred, n);
  checkFinite(metric, 'y_true', yTrue);
  checkFinite(metric, 'y_pred', yPred);
  return { n, w: checkWeights(metric, options.sampleWeight, n) };
}
