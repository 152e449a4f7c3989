import { classificationReport, multiclassReport, regressionReport } from '../ml/metrics/report.js';
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
