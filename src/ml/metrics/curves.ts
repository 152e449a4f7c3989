import { requireBothClasses, sweepScores } from './binary-curve.js';
import { fail, type WeightOption } from './inputs.js';

/**
 * ROC and precision-recall curves for the dashboard. Points run from the highest threshold down; a
 * row is predicted positive when its score >= the threshold, and the first point's threshold is
 * +Infinity (nothing predicted positive; scikit-learn 1.2 writes max + 1 there, 1.3+ writes inf).
 * Curves longer than `maxPoints` are thinned (see thinCurve) so a chart gets a bounded payload.
 */
export interface CurveOptions extends WeightOption {
  /** Upper bound on returned points, >= 2; default 200. Infinity keeps every point. */
  maxPoints?: number;
}

export interface RocCurve {
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
  readonly thresholds: Float64Array;
}

export interface PrCurve {
  readonly recall: Float64Array;
  readonly precision: Float64Array;
  readonly thresholds: Float64Array;
}

/**
 * The ROC curve with scikit-learn's `drop_intermediate`: points collinear with both neighbours
 * (a run of only positives or only negatives) are left out, since they add nothing to the plot.
 */
export function rocCurve(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: CurveOptions = {},
): RocCurve {
  const sweep = sweepScores('roc_curve', yTrue, scores, options.sampleWeight);
  requireBothClasses('roc_curve', sweep);
  const { tps, fps, thresholds } = sweep;
  const m = tps.length;
  const keep: number[] = [];
  for (let i = 0; i < m; i++) {
    // Second differences in numpy's order of operations, so weighted sums drop the same points.
    const bend =
      i === 0 ||
      i === m - 1 ||
      fps[i + 1] - fps[i] - (fps[i] - fps[i - 1]) !== 0 ||
      tps[i + 1] - tps[i] - (tps[i] - tps[i - 1]) !== 0;
    if (bend) keep.push(i);
  }
  const size = keep.length + 1;
  const fpr = new Float64Array(size);
  const tpr = new Float64Array(size);
  const thr = new Float64Array(size);
  thr[0] = Infinity;
  const P = tps[m - 1];
  const N = fps[m - 1];
  keep.forEach((i, k) => {
    fpr[k + 1] = fps[i] / N;
    tpr[k + 1] = tps[i] / P;
    thr[k + 1] = thresholds[i]!;
  });
  const index = thinCurve(fpr, tpr, maxPointsOf('roc_curve', options));
  return { fpr: pick(fpr, index), tpr: pick(tpr, index), thresholds: pick(thr, index) };
}

/** Precision and recall at each distinct threshold, led by (recall 0, precision 1). Needs a positive row. */
export function precisionRecallCurve(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: CurveOptions = {},
): PrCurve {
  const { tps, fps, thresholds } = sweepScores('precision_recall_curve', yTrue, scores, options.sampleWeight);
  const m = tps.length;
  const P = tps[m - 1];
  if (P === 0) fail('precision_recall_curve', 'no positive (1) rows in y_true; recall is undefined');
  const recall = new Float64Array(m + 1);
  const precision = new Float64Array(m + 1);
  const thr = new Float64Array(m + 1);
  precision[0] = 1;
  thr[0] = Infinity;
  for (let i = 0; i < m; i++) {
    recall[i + 1] = tps[i] / P;
    precision[i + 1] = tps[i] / (tps[i] + fps[i]);
    thr[i + 1] = thresholds[i]!;
  }
  const index = thinCurve(recall, precision, maxPointsOf('precision_recall_curve', options));
  return { recall: pick(recall, index), precision: pick(precision, index), thresholds: pick(thr, index) };
}

/**
 * Indices of at most `maxPoints` points of a polyline, always the first and the last, spread evenly
 * by path length (|dx| + |dy|) rather than by index: a curve's detail sits where it bends, and a ROC
 * curve of a million rows spends most of its points on a few short stretches.
 */
export function thinCurve(x: Float64Array, y: Float64Array, maxPoints: number): Uint32Array {
  const n = x.length;
  if (n <= maxPoints) return Uint32Array.from({ length: n }, (_, i) => i);
  const length = new Float64Array(n);
  for (let i = 1; i < n; i++)
    length[i] = length[i - 1] + Math.abs(x[i] - x[i - 1]) + Math.abs(y[i] - y[i - 1]);
  const total = length[n - 1];
  const kept = new Uint32Array(maxPoints);
  let count = 0;
  let i = 0;
  for (let j = 0; j < maxPoints - 1; j++) {
    const target = (total * j) / (maxPoints - 1);
    while (i < n - 1 && length[i] < target) i++;
    if (count === 0 || kept[count - 1] !== i) kept[count++] = i;
  }
  if (kept[count - 1] !== n - 1) kept[count++] = n - 1;
  return kept.slice(0, count);
}

function maxPointsOf(metric: string, options: CurveOptions): number {
  const maxPoints = options.maxPoints ?? 200;
  if (!(maxPoints >= 2)) fail(metric, `maxPoints is ${maxPoints}; expected at least 2`);
  return maxPoints;
}

function pick(values: Float64Array, index: Uint32Array): Float64Array {
  const out = new Float64Array(index.length);
  for (let k = 0; k < index.length; k++) out[k] = values[index[k]]!;
  return out;
}
