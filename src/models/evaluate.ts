import {
  classificationCurves,
  classificationReport,
  multiclassReport,
  regressionReport,
  type BinaryCurves,
} from '../ml/metrics/report.js';
import { binaryConfusion } from '../ml/metrics/classification.js';
import { DECISION_THRESHOLD } from './model.js';
import type { FeatureSummary } from './data-summary.js';
import type { TargetInfo } from './target.js';

/**
 * The model card's metrics for held-out predictions (the Estimator's `predict` layout). Curves and
 * per-class details stay out: the card stores what a person compares across versions.
 */
export function evaluate(
  target: TargetInfo,
  y: Float64Array,
  predictions: Float64Array,
): Record<string, number> {
  if (target.task === 'regression') {
    const { rmse, mae, r2, mape } = regressionReport(y, predictions);
    return { rmse, mae, r2, mape };
  }
  if (target.task === 'binary') {
    const { auc, pr_auc, logloss, accuracy, precision, recall, f1, brier } = classificationReport(
      y,
      predictions,
    );
    return { auc, pr_auc, logloss, accuracy, precision, recall, f1, brier };
  }
  const { accuracy, macro_f1, logloss } = multiclassReport(y, predictions, target.classes!.length);
  return { accuracy, macro_f1, logloss };
}

/** The score `auto` and searches maximise: AUC, −log-loss (multiclass), or −RMSE. */
export function primaryScore(target: TargetInfo, metrics: Record<string, number>): number {
  if (target.task === 'binary') return metrics.auc;
  if (target.task === 'multiclass') return -metrics.logloss;
  return -metrics.rmse;
}

/** What a model card draws: curves and tables on the held-out rows, and feature importance. */
export interface Evaluation {
  /** Binary: ROC, PR and reliability curves (at most 100 points each). */
  curves?: BinaryCurves;
  /** Classification: counts, rows the true class and columns the predicted one, in `labels` order. */
  confusion?: { labels: string[]; counts: number[][] };
  /** Regression: a sample of up to 500 held-out (actual, predicted) pairs and residual quantiles. */
  residuals?: { actual: number[]; predicted: number[]; quantiles: Record<string, number> };
  /** Features by importance, largest first, where the algorithm has it. */
  importance?: { feature: string; importance: number }[];
  /** The training rows, feature by feature (missing share, range, mean, top categories). */
  training?: FeatureSummary[];
}

const SAMPLE_POINTS = 500;

export function evaluationDetails(
  target: TargetInfo,
  y: Float64Array,
  predictions: Float64Array,
  features: readonly string[],
  importance: Float64Array | undefined,
): Evaluation {
  const details: Evaluation = {};
  if (importance !== undefined) {
    details.importance = features
      .map((feature, f) => ({ feature, importance: importance[f] }))
      .sort((a, b) => b.importance - a.importance);
  }
  if (target.task === 'regression') {
    const step = Math.max(1, Math.floor(y.length / SAMPLE_POINTS));
    const actual: number[] = [];
    const predicted: number[] = [];
    for (let i = 0; i < y.length && actual.length < SAMPLE_POINTS; i += step) {
      actual.push(y[i]);
      predicted.push(predictions[i]);
    }
    const residuals = Float64Array.from(y, (v, i) => v - predictions[i]).sort();
    const at = (q: number) => residuals[Math.min(residuals.length - 1, Math.floor(q * residuals.length))];
    details.residuals = { actual, predicted, quantiles: { p5: at(0.05), p50: at(0.5), p95: at(0.95) } };
    return details;
  }
  const labels = target.classes!;
  if (target.task === 'binary') {
    details.curves = classificationCurves(y, predictions, { maxPoints: 100 });
    const c = binaryConfusion(y, predictions, { threshold: DECISION_THRESHOLD });
    details.confusion = {
      labels,
      counts: [
        [c.tn, c.fp],
        [c.fn, c.tp],
      ],
    };
    return details;
  }
  const K = labels.length;
  const { confusion } = multiclassReport(y, predictions, K);
  details.confusion = { labels, counts: labels.map((_, r) => confusion.slice(r * K, (r + 1) * K)) };
  return details;
}
