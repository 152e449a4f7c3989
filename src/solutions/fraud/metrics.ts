import { averagePrecision, binaryConfusion } from '../../ml/metrics/index.js';

/** The figures the fraud evaluation reports for one scorer on one test set. */
export interface FraudMetrics {
  precision: number;
  recall: number;
  f1: number;
  prAuc: number;
  /** Precision among the k highest scores. */
  precisionAtK: number;
  k: number;
  /** Precision among the top n, n = the number of frauds in the test set. */
  precisionAtFrauds: number;
  fpr: number;
  flagged: number;
}

/** Metrics of scores against 0/1 labels; a row is flagged when its score ≥ threshold. */
export function fraudMetrics(
  y: Float64Array,
  scores: Float64Array,
  threshold: number,
  k: number,
): FraudMetrics {
  const c = binaryConfusion(y, scores, { threshold });
  const precision = c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn);
  const frauds = y.reduce((s, v) => s + v, 0);
  return {
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    prAuc: averagePrecision(y, scores),
    precisionAtK: precisionAtTop(y, scores, k),
    k,
    precisionAtFrauds: precisionAtTop(y, scores, frauds),
    fpr: c.fp + c.tn === 0 ? 0 : c.fp / (c.fp + c.tn),
    flagged: c.tp + c.fp,
  };
}

/** Share of frauds among the k highest scores; ties are broken by row order (earlier first). */
function precisionAtTop(y: Float64Array, scores: Float64Array, k: number): number {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  const top = Math.min(k, order.length);
  let hits = 0;
  for (let i = 0; i < top; i++) hits += y[order[i]];
  return top === 0 ? 0 : hits / top;
}
