import { LOG_LOSS_EPS, type LogLossOptions } from './classification.js';
import {
  checkClassLabels,
  checkLength,
  checkWeights,
  fail,
  weightedMean,
  type WeightOption,
} from './inputs.js';

/**
 * Multiclass metrics. Labels are class codes 0..k-1; probabilities are row-major n × k (row i's
 * class c at `i * k + c`). Predicted labels come from `argmaxRows` (first maximum on ties, as
 * numpy's argmax).
 */

/** The most probable class per row; probabilities n × k row-major. */
export function argmaxRows(probabilities: ArrayLike<number>, k: number): Int32Array {
  checkClassCount('argmax', k);
  const n = Math.floor(probabilities.length / k);
  if (n * k !== probabilities.length) {
    fail('argmax', `probabilities has ${probabilities.length} values, not a multiple of ${k} classes`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities[i * k + c] > probabilities[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** k × k weighted counts, row-major: rows are true classes, columns predicted (scikit-learn's layout). */
export function multiclassConfusion(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  k: number,
  options: WeightOption = {},
): Float64Array {
  const w = checkLabels('confusion_matrix', yTrue, yPred, k, options);
  const matrix = new Float64Array(k * k);
  for (let i = 0; i < yTrue.length; i++) matrix[yTrue[i] * k + yPred[i]] += w === null ? 1 : w[i];
  return matrix;
}

/** Share (weighted) of rows whose predicted class is the true one. */
export function multiclassAccuracy(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  k: number,
  options: WeightOption = {},
): number {
  const w = checkLabels('accuracy', yTrue, yPred, k, options);
  const hit = new Float64Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) hit[i] = yTrue[i] === yPred[i] ? 1 : 0;
  return weightedMean(hit, w);
}

export interface PerClassScores {
  /** Each of length k; a ratio with a zero denominator is 0 (scikit-learn's zero_division=0). */
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  readonly f1: Float64Array;
  /** Weighted count of rows whose true class is c. */
  readonly support: Float64Array;
  /** Macro F1: the mean of f1 over classes present in y_true or y_pred (scikit-learn's default labels). */
  readonly macroF1: number;
}

/** Precision, recall and F1 of each class one-vs-rest, and their macro average. */
export function perClassScores(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  k: number,
  options: WeightOption = {},
): PerClassScores {
  const matrix = multiclassConfusion(yTrue, yPred, k, options);
  const precision = new Float64Array(k);
  const recall = new Float64Array(k);
  const f1 = new Float64Array(k);
  const support = new Float64Array(k);
  let sumF1 = 0;
  let present = 0;
  for (let c = 0; c < k; c++) {
    let truth = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      truth += matrix[c * k + j];
      predicted += matrix[j * k + c];
    }
    const tp = matrix[c * k + c];
    const p = predicted === 0 ? 0 : tp / predicted;
    const r = truth === 0 ? 0 : tp / truth;
    precision[c] = p;
    recall[c] = r;
    f1[c] = p + r === 0 ? 0 : (2 * p * r) / (p + r);
    support[c] = truth;
    // A class with no true and no predicted row says nothing about the model; leave it out.
    if (truth > 0 || predicted > 0) {
      sumF1 += f1[c];
      present++;
    }
  }
  return { precision, recall, f1, support, macroF1: sumF1 / present };
}

/**
 * Mean negative log-likelihood of the true class, probabilities clipped to [eps, 1 − eps] and each
 * row renormalised — scikit-learn 1.2's `log_loss` with `labels = 0..k-1`.
 */
export function multiclassLogLoss(
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  k: number,
  options: LogLossOptions = {},
): number {
  const metric = 'log_loss';
  checkClassCount(metric, k);
  const n = yTrue.length;
  checkClassLabels(metric, yTrue, k);
  if (probabilities.length !== n * k) {
    fail(
      metric,
      `probabilities has ${probabilities.length} values; expected ${n} rows × ${k} classes = ${n * k}`,
    );
  }
  for (let i = 0; i < probabilities.length; i++) {
    const v = probabilities[i];
    if (!(v >= 0 && v <= 1)) {
      fail(metric, `probability of class ${i % k} in row ${Math.floor(i / k)} is ${v}; expected [0, 1]`);
    }
  }
  const w = checkWeights(metric, options.sampleWeight, n);
  const eps = options.eps ?? LOG_LOSS_EPS;
  const clip = (v: number) => Math.min(Math.max(v, eps), 1 - eps);
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += clip(probabilities[i * k + c]);
    loss[i] = -Math.log(clip(probabilities[i * k + yTrue[i]]) / sum);
  }
  return weightedMean(loss, w);
}

function checkClassCount(metric: string, k: number): void {
  if (!Number.isInteger(k) || k < 2) fail(metric, `classes is ${k}; expected a whole number >= 2`);
}

function checkLabels(
  metric: string,
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  k: number,
  options: WeightOption,
): ArrayLike<number> | null {
  checkClassCount(metric, k);
  checkClassLabels(metric, yTrue, k);
  checkLength(metric, 'y_pred', yPred, yTrue.length);
  for (let i = 0; i < yPred.length; i++) {
    const v = yPred[i];
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      fail(metric, `y_pred[${i}] is ${v}; expected a class code from 0 to ${k - 1}`);
    }
  }
  return checkWeights(metric, options.sampleWeight, yTrue.length);
}
