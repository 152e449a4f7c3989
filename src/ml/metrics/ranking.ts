import { requireBothClasses, sweepScores, type BinarySweep } from './binary-curve.js';
import { fail, type WeightOption } from './inputs.js';

/**
 * Area under the ROC curve for binary y_true (0/1) and scores (higher = more likely 1), optionally
 * weighted. Ties are average ranks: a positive and a negative with the same score count one half,
 * so constant scores give 0.5 — scikit-learn's `roc_auc_score`. Throws INVALID_ARGUMENT when y_true
 * holds one class only.
 */
export function rocAuc(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: WeightOption = {},
): number {
  const sweep = sweepScores('roc_auc', yTrue, scores, options.sampleWeight);
  requireBothClasses('roc_auc', sweep);
  return aucOfSweep(sweep);
}

/** Trapezoids in count space, divided once at the end: exact for unweighted counts below 2^26. */
export function aucOfSweep(sweep: BinarySweep): number {
  const { tps, fps } = sweep;
  const m = tps.length;
  let area = 0;
  let tpPrev = 0;
  let fpPrev = 0;
  for (let i = 0; i < m; i++) {
    area += (fps[i] - fpPrev) * (tps[i] + tpPrev);
    tpPrev = tps[i]!;
    fpPrev = fps[i]!;
  }
  return area / (2 * tpPrev * fpPrev);
}

/**
 * Average precision, the PR-AUC scikit-learn reports (`average_precision_score`): the sum over
 * distinct thresholds, descending, of (recall_i − recall_{i−1}) × precision_i — a step function, no
 * interpolation between points. Throws INVALID_ARGUMENT when y_true has no positive row (scikit-learn
 * warns and returns 0 there, which reads as a terrible model rather than an undefined metric).
 */
export function averagePrecision(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: WeightOption = {},
): number {
  const sweep = sweepScores('average_precision', yTrue, scores, options.sampleWeight);
  return averagePrecisionOfSweep(sweep);
}

export function averagePrecisionOfSweep(sweep: BinarySweep): number {
  const { tps, fps } = sweep;
  const m = tps.length;
  const positives = tps[m - 1];
  if (positives === 0) {
    fail('average_precision', 'no positive (1) rows in y_true; precision-recall needs at least one');
  }
  let ap = 0;
  let recallPrev = 0;
  for (let i = 0; i < m; i++) {
    const recall = tps[i] / positives;
    ap += (recall - recallPrev) * (tps[i] / (tps[i] + fps[i]));
    recallPrev = recall;
  }
  return ap;
}
