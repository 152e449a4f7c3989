import { CairnError } from '../../core/errors.js';
import {
  anomalyModelFromJSON,
  fitAnomalyDetector,
  LofModel,
  type AnomalyAlgorithm,
  type AnomalyModel,
  type ThresholdSpec,
} from '../../ml/anomaly/index.js';
import type { FeatureMatrix } from '../../ml/matrix.js';
import { averagePrecision, rocAuc } from '../../ml/metrics/ranking.js';
import { snakeCase, translateParams } from '../algorithms/params.js';
import type { Estimator } from '../estimator.js';
import { interleave, type Labels, type UnsupervisedAlgorithm } from './unsupervised-algorithm.js';

/** Params every detector takes: where the flag's cut lies. */
const COMMON = ['contamination', 'threshold'];
const KNOWN: Record<AnomalyAlgorithm, string[]> = {
  isolation_forest: ['nEstimators', 'maxSamples'],
  zscore: [],
  robust_zscore: [],
  iqr: [],
  lof: ['k'],
  autoencoder: ['hidden', 'activation', 'epochs', 'batchSize', 'learningRate', 'precision'],
};
const ALIASES: Record<string, string> = { n_neighbors: 'k' };

/** The flag's cut: params.contamination (share of training rows) or params.threshold (a score). */
function thresholdOf(params: Record<string, unknown>): ThresholdSpec | undefined {
  const { contamination, threshold } = params;
  if (contamination !== undefined && threshold !== undefined) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      'give params.contamination (share of rows flagged) or params.threshold (a score), not both',
    );
  }
  if (contamination !== undefined) {
    if (typeof contamination !== 'number') {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `params.contamination is ${JSON.stringify(contamination)}; expected a number in (0, 0.5)`,
      );
    }
    return { contamination };
  }
  if (threshold !== undefined) {
    if (typeof threshold !== 'number') {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `params.threshold is ${JSON.stringify(threshold)}; expected a score`,
      );
    }
    return { score: threshold };
  }
  return undefined;
}

/** predict: per row its anomaly score (grows with abnormality) and 0/1 flag. */
function anomalyEstimator(algorithm: string, model: AnomalyModel): Estimator {
  return {
    algorithm,
    predict(X) {
      const scores = model.score(X);
      const flags = Uint8Array.from(scores, (s) => (s > model.threshold ? 1 : 0));
      return interleave([scores, flags], X.rows);
    },
    toJSON: () => model.toJSON(),
  };
}

function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The training rows' score distribution (finite scores: a row with no usable feature has none), the
 * cut and the share flagged; against a label column ROC-AUC, average precision, and the flag's
 * precision and recall.
 */
export function anomalyMetrics(
  scores: Float64Array,
  threshold: number,
  labels?: Labels,
): Record<string, number> {
  const finite = Float64Array.from(scores.filter((s) => Number.isFinite(s))).sort();
  const metrics: Record<string, number> = { threshold };
  if (finite.length > 0) {
    let mean = 0;
    for (const s of finite) mean += s / finite.length;
    let variance = 0;
    for (const s of finite) variance += (s - mean) ** 2 / finite.length;
    Object.assign(metrics, {
      score_mean: mean,
      score_std: Math.sqrt(variance),
      score_min: finite[0],
      score_p25: quantile(finite, 0.25),
      score_p50: quantile(finite, 0.5),
      score_p75: quantile(finite, 0.75),
      score_p95: quantile(finite, 0.95),
      score_p99: quantile(finite, 0.99),
      score_max: finite[finite.length - 1],
    });
  }
  let flagged = 0;
  for (const s of scores) if (s > threshold) flagged++;
  metrics.anomaly_share = flagged / scores.length;
  if (labels !== undefined && labels.rows.length > 0) {
    const y = labels.y;
    const s = Float64Array.from(labels.rows, (i) => (Number.isNaN(scores[i]) ? -Infinity : scores[i]));
    const positives = y.reduce((sum, v) => sum + v, 0);
    if (positives > 0 && positives < y.length) {
      metrics.roc_auc = rocAuc(y, s);
      metrics.average_precision = averagePrecision(y, s);
      let tp = 0;
      let predicted = 0;
      for (let r = 0; r < y.length; r++) {
        if (s[r] > threshold) {
          predicted++;
          tp += y[r];
        }
      }
      metrics.precision = predicted > 0 ? tp / predicted : 0;
      metrics.recall = tp / positives;
    }
  }
  return metrics;
}

/** The training rows' own scores: LOF's leave-self-out factors, else the model's scores. */
function trainingScores(model: AnomalyModel, X: FeatureMatrix): Float64Array {
  return model instanceof LofModel ? model.trainingScores : model.score(X);
}

function anomalyAlgorithm(name: AnomalyAlgorithm): UnsupervisedAlgorithm {
  return {
    name,
    task: 'anomaly',
    params: [...COMMON, ...KNOWN[name].map(snakeCase), ...(name === 'lof' ? Object.keys(ALIASES) : [])],
    fit({ X, params, seed, labels }) {
      const learner: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(params)) if (!COMMON.includes(key)) learner[key] = value;
      const translated = translateParams(name, learner, KNOWN[name], name === 'lof' ? ALIASES : {});
      const model = fitAnomalyDetector(name, X, { ...translated, seed, threshold: thresholdOf(params) });
      return {
        estimator: anomalyEstimator(name, model),
        outputs: [
          { name: 'anomaly_score', type: 'double' },
          { name: 'is_anomaly', type: 'integer' },
        ],
        metrics: anomalyMetrics(trainingScores(model, X), model.threshold, labels),
      };
    },
    load: (json) => anomalyEstimator(name, anomalyModelFromJSON(json)),
  };
}

/** Isolation forest, z-score, robust z-score, IQR fences, LOF and the autoencoder. */
export const ANOMALY_ALGORITHMS: readonly UnsupervisedAlgorithm[] = (
  ['isolation_forest', 'zscore', 'robust_zscore', 'iqr', 'lof', 'autoencoder'] as const
).map(anomalyAlgorithm);
