import { requireBothClasses, sweepScores } from './binary-curve.js';
import { calibrationCurve, type CalibrationOptions } from './calibration.js';
import { binaryConfusion, brierScore, f1Of, logLoss, precisionOf, recallOf } from './classification.js';
import { precisionRecallCurve, rocCurve } from './curves.js';
import type { WeightOption } from './inputs.js';
import {
  argmaxRows,
  multiclassAccuracy,
  multiclassConfusion,
  multiclassLogLoss,
  perClassScores,
} from './multiclass.js';
import { aucOfSweep, averagePrecisionOfSweep } from './ranking.js';
import { mae, mape, r2, rmse } from './regression.js';

/**
 * The metric sets written into model cards, as plain JSON-able objects with the card's names.
 * Each throws INVALID_ARGUMENT (naming the metric) when a metric is undefined on the data, e.g. a
 * validation set holding one class only: a stratified split prevents that.
 */

export interface BinaryReport {
  auc: number;
  pr_auc: number;
  logloss: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  brier: number;
  /** The decision threshold behind accuracy … f1 (score >= threshold is positive). */
  threshold: number;
  confusion: { tn: number; fp: number; fn: number; tp: number };
}

/** y_true 0/1 and probabilities p(y = 1); threshold defaults to 0.5. */
export function classificationReport(
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: WeightOption & { threshold?: number } = {},
): BinaryReport {
  const threshold = options.threshold ?? 0.5;
  const sweep = sweepScores('roc_auc', yTrue, probabilities, options.sampleWeight);
  requireBothClasses('roc_auc', sweep);
  const confusion = binaryConfusion(yTrue, probabilities, { ...options, threshold });
  const { tn, fp, fn, tp } = confusion;
  return {
    auc: aucOfSweep(sweep),
    pr_auc: averagePrecisionOfSweep(sweep),
    logloss: logLoss(yTrue, probabilities, options),
    accuracy: (tp + tn) / (tp + tn + fp + fn),
    precision: precisionOf(confusion),
    recall: recallOf(confusion),
    f1: f1Of(confusion),
    brier: brierScore(yTrue, probabilities, options),
    threshold,
    confusion,
  };
}

export interface RegressionReport {
  rmse: number;
  mae: number;
  r2: number;
  mape: number;
  /** Rows left out of mape because their target is 0. */
  mape_zero_targets: number;
}

export function regressionReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: WeightOption = {},
): RegressionReport {
  const percentage = mape(yTrue, yPred, options);
  return {
    rmse: rmse(yTrue, yPred, options),
    mae: mae(yTrue, yPred, options),
    r2: r2(yTrue, yPred, options),
    mape: percentage.mape,
    mape_zero_targets: percentage.skippedZeroTargets,
  };
}

export interface MulticlassReport {
  accuracy: number;
  macro_f1: number;
  logloss: number;
  /** Index c is class c. */
  per_class: { precision: number; recall: number; f1: number; support: number }[];
  /** k × k row-major, rows true classes, columns predicted. */
  confusion: number[];
}

/** y_true class codes 0..k-1 (n) and probabilities row-major n × k. */
export function multiclassReport(
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  k: number,
  options: WeightOption = {},
): MulticlassReport {
  const logloss = multiclassLogLoss(yTrue, probabilities, k, options);
  const yPred = argmaxRows(probabilities, k);
  const scores = perClassScores(yTrue, yPred, k, options);
  return {
    accuracy: multiclassAccuracy(yTrue, yPred, k, options),
    macro_f1: scores.macroF1,
    logloss,
    per_class: Array.from({ length: k }, (_, c) => ({
      precision: scores.precision[c],
      recall: scores.recall[c],
      f1: scores.f1[c],
      support: scores.support[c],
    })),
    confusion: Array.from(multiclassConfusion(yTrue, yPred, k, options)),
  };
}

/** The dashboard's binary charts as plain arrays. A threshold of +Infinity serialises as null. */
export interface BinaryCurves {
  roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
  pr: { recall: number[]; precision: number[]; thresholds: number[] };
  calibration: {
    strategy: 'uniform' | 'quantile';
    lower: number[];
    upper: number[];
    count: number[];
    mean_predicted: number[];
    observed_rate: number[];
  };
}

/** ROC and PR curves (each at most `maxPoints`, default 200) and the reliability curve (unweighted, as scikit-learn's). */
export function classificationCurves(
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: WeightOption & { maxPoints?: number; calibration?: CalibrationOptions } = {},
): BinaryCurves {
  const roc = rocCurve(yTrue, probabilities, options);
  const pr = precisionRecallCurve(yTrue, probabilities, options);
  const strategy = options.calibration?.strategy ?? 'uniform';
  const cal = calibrationCurve(yTrue, probabilities, { ...options.calibration, strategy });
  return {
    roc: { fpr: Array.from(roc.fpr), tpr: Array.from(roc.tpr), thresholds: Array.from(roc.thresholds) },
    pr: {
      recall: Array.from(pr.recall),
      precision: Array.from(pr.precision),
      thresholds: Array.from(pr.thresholds),
    },
    calibration: {
      strategy,
      lower: Array.from(cal.lower),
      upper: Array.from(cal.upper),
      count: Array.from(cal.count),
      mean_predicted: Array.from(cal.meanPredicted),
      observed_rate: Array.from(cal.observedRate),
    },
  };
}
