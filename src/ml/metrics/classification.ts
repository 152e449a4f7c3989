import {
  checkBinaryLabels,
  checkLength,
  checkNotNaN,
  checkProbabilities,
  checkWeights,
  fail,
  weightedMean,
  type WeightOption,
} from './inputs.js';

/**
 * Binary metrics at a decision threshold, and the probability losses. y_true holds 0/1; a row is
 * predicted positive when its score >= threshold (default 0.5). Hard 0/1 predictions work as scores.
 * Ratios with a zero denominator are 0, scikit-learn's `zero_division=0`.
 */
export interface ThresholdOptions extends WeightOption {
  threshold?: number;
}

/** Weighted counts (plain counts without weights). */
export interface BinaryConfusion {
  tn: number;
  fp: number;
  fn: number;
  tp: number;
}

/** The 2×2 confusion matrix at the threshold. */
export function binaryConfusion(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: ThresholdOptions = {},
): BinaryConfusion {
  return confusionFor('confusion_matrix', yTrue, scores, options);
}

export function accuracyAt(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: ThresholdOptions = {},
): number {
  const c = confusionFor('accuracy', yTrue, scores, options);
  return (c.tp + c.tn) / (c.tp + c.tn + c.fp + c.fn);
}

/** tp / (tp + fp). */
export function precisionAt(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: ThresholdOptions = {},
): number {
  return precisionOf(confusionFor('precision', yTrue, scores, options));
}

/** tp / (tp + fn). */
export function recallAt(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: ThresholdOptions = {},
): number {
  return recallOf(confusionFor('recall', yTrue, scores, options));
}

/** Harmonic mean of precision and recall. */
export function f1At(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: ThresholdOptions = {},
): number {
  return f1Of(confusionFor('f1', yTrue, scores, options));
}

export function precisionOf(c: BinaryConfusion): number {
  return ratio(c.tp, c.tp + c.fp);
}

export function recallOf(c: BinaryConfusion): number {
  return ratio(c.tp, c.tp + c.fn);
}

/** 2pr / (p + r) from the rounded p and r, in scikit-learn's order, so results agree to the last bit. */
export function f1Of(c: BinaryConfusion): number {
  const p = precisionOf(c);
  const r = recallOf(c);
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function confusionFor(
  metric: string,
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: ThresholdOptions,
): BinaryConfusion {
  const n = yTrue.length;
  checkBinaryLabels(metric, yTrue);
  checkLength(metric, 'scores', scores, n);
  checkNotNaN(metric, 'scores', scores);
  const w = checkWeights(metric, options.sampleWeight, n);
  const threshold = options.threshold ?? 0.5;
  if (Number.isNaN(threshold)) fail(metric, 'threshold is NaN');
  const c: BinaryConfusion = { tn: 0, fp: 0, fn: 0, tp: 0 };
  for (let i = 0; i < n; i++) {
    const weight = w === null ? 1 : w[i];
    const predicted = scores[i] >= threshold;
    if (yTrue[i] === 1) {
      if (predicted) c.tp += weight;
      else c.fn += weight;
    } else if (predicted) c.fp += weight;
    else c.tn += weight;
  }
  return c;
}

/** Machine epsilon for doubles: scikit-learn's `eps="auto"` for float64 input. */
export const LOG_LOSS_EPS = 2.220446049250313e-16;

export interface LogLossOptions extends WeightOption {
  /** Probabilities are clipped to [eps, 1 - eps] so a confident mistake costs ~36, not Infinity. */
  eps?: number;
}

/**
 * Mean negative log-likelihood (natural log) of binary y_true under probabilities p(y = 1).
 * Follows scikit-learn 1.2's `log_loss` step by step: clip, form [1 − p, p], renormalise the row.
 */
export function logLoss(
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: LogLossOptions = {},
): number {
  const metric = 'log_loss';
  const n = yTrue.length;
  checkBinaryLabels(metric, yTrue);
  checkLength(metric, 'probabilities', probabilities, n);
  checkProbabilities(metric, 'probabilities', probabilities);
  const w = checkWeights(metric, options.sampleWeight, n);
  const eps = options.eps ?? LOG_LOSS_EPS;
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(probabilities[i], eps), 1 - eps);
    const q = 1 - p;
    loss[i] = -Math.log((yTrue[i] === 1 ? p : q) / (q + p));
  }
  return weightedMean(loss, w);
}

/** Mean squared difference between p(y = 1) and y_true: scikit-learn's `brier_score_loss`. */
export function brierScore(
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: WeightOption = {},
): number {
  const metric = 'brier_score';
  const n = yTrue.length;
  checkBinaryLabels(metric, yTrue);
  checkLength(metric, 'probabilities', probabilities, n);
  checkProbabilities(metric, 'probabilities', probabilities);
  const w = checkWeights(metric, options.sampleWeight, n);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = yTrue[i] - probabilities[i];
    sq[i] = d * d;
  }
  return weightedMean(sq, w);
}
