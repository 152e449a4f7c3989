import { checkBinaryLabels, checkLength, checkNotNaN, checkWeights, fail } from './inputs.js';

/**
 * The sweep behind ROC-AUC, average precision and both curves: scores sorted descending, and at
 * each distinct score t the (weighted) count of positives `tps` and negatives `fps` with score >= t.
 * Tied scores form one step, so a tie between a positive and a negative counts one half in the AUC
 * (the average-rank rule of Mann–Whitney, as scikit-learn's `_binary_clf_curve`).
 */
export interface BinarySweep {
  /** Distinct scores, descending; length m. */
  readonly thresholds: Float64Array;
  /** Cumulative positives (weighted) with score >= thresholds[i]; length m. */
  readonly tps: Float64Array;
  /** Cumulative negatives (weighted) with score >= thresholds[i]; length m. */
  readonly fps: Float64Array;
}

/** Checks y_true (0/1), scores (no NaN) and weights, then sweeps. */
export function sweepScores(
  metric: string,
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  sampleWeight?: ArrayLike<number>,
): BinarySweep {
  const n = yTrue.length;
  checkBinaryLabels(metric, yTrue);
  checkLength(metric, 'scores', scores, n);
  checkNotNaN(metric, 'scores', scores);
  const weights = checkWeights(metric, sampleWeight, n);
  return sweepKernel(yTrue, scores, weights);
}

/** Throws unless both classes have positive weight: the metric is undefined otherwise. */
export function requireBothClasses(metric: string, sweep: BinarySweep): void {
  const m = sweep.tps.length;
  const pos = sweep.tps[m - 1];
  const neg = sweep.fps[m - 1];
  if (pos > 0 && neg > 0) return;
  const only = pos > 0 ? 'positive (1)' : 'negative (0)';
  fail(metric, `only ${only} rows are present in y_true; it needs both classes to be defined`);
}

/** y: 0/1 (n); s: scores (n); w: weights (n) or null. */
function sweepKernel(y: ArrayLike<number>, s: ArrayLike<number>, w: ArrayLike<number> | null): BinarySweep {
  return w === null ? sweepUnweighted(y, s) : sweepWeighted(y, s, w);
}

/**
 * Without weights only the counts above each threshold matter, so the scores of each class are
 * sorted on their own with the native typed-array sort and merged from the top: on a million rows
 * this is ~10× faster than sorting an index array with a comparator.
 */
function sweepUnweighted(y: ArrayLike<number>, s: ArrayLike<number>): BinarySweep {
  const n = y.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i] === 1 ? 1 : 0;
  const pos = new Float64Array(positives);
  const neg = new Float64Array(n - positives);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] === 1) pos[a++] = s[i];
    else neg[b++] = s[i];
  }
  pos.sort();
  neg.sort();
  const thresholds = new Float64Array(n);
  const tps = new Float64Array(n);
  const fps = new Float64Array(n);
  let i = pos.length - 1;
  let j = neg.length - 1;
  let m = 0;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? neg[j] : j < 0 ? pos[i] : Math.max(pos[i], neg[j]);
    while (i >= 0 && pos[i] === t) i--;
    while (j >= 0 && neg[j] === t) j--;
    thresholds[m] = t;
    tps[m] = pos.length - 1 - i;
    fps[m] = neg.length - 1 - j;
    m++;
  }
  return { thresholds: thresholds.slice(0, m), tps: tps.slice(0, m), fps: fps.slice(0, m) };
}

/** Rows of weight 0 are dropped first, as scikit-learn does; sums run in descending score order. */
function sweepWeighted(y: ArrayLike<number>, s: ArrayLike<number>, w: ArrayLike<number>): BinarySweep {
  let n = 0;
  const order = new Uint32Array(y.length);
  for (let i = 0; i < y.length; i++) if (w[i] !== 0) order[n++] = i;
  const index = order.subarray(0, n);
  // Stable and descending; NaN was refused, so the comparator is a total order.
  index.sort((a, b) => (s[b] > s[a] ? 1 : s[b] < s[a] ? -1 : a - b));
  const thresholds = new Float64Array(n);
  const tps = new Float64Array(n);
  const fps = new Float64Array(n);
  let tp = 0;
  let fp = 0;
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = index[k];
    if (y[i] === 1) tp += w[i];
    else fp += w[i];
    // Record a step only at the last row of each run of equal scores.
    if (k === n - 1 || s[index[k + 1]] !== s[i]) {
      thresholds[m] = s[i];
      tps[m] = tp;
      fps[m] = fp;
      m++;
    }
  }
  return { thresholds: thresholds.slice(0, m), tps: tps.slice(0, m), fps: fps.slice(0, m) };
}
