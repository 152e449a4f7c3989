import type { FeatureMatrix } from '../matrix.js';

/**
 * Per-column summaries that skip missing values (NaN), shared by the detectors and imputers. A
 * column with no observed value gives NaN for every statistic, and callers decide what that means.
 */

/** The observed (non-NaN) values of column j, sorted ascending. */
export function sortedColumn(X: FeatureMatrix, j: number): Float64Array {
  const from = j * X.rows;
  let m = 0;
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    const v = X.data[from + i];
    if (v === v) out[m++] = v;
  }
  return out.subarray(0, m).sort();
}

/** Quantile q ∈ [0, 1] of sorted values by linear interpolation (numpy's default); NaN when empty. */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const m = sorted.length;
  if (m === 0) return NaN;
  const h = (m - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, m - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Mean and population standard deviation (ddof 0, as numpy's nanstd) of column j's observed values. */
export function columnMoments(X: FeatureMatrix, j: number): { mean: number; std: number; count: number } {
  const from = j * X.rows;
  let count = 0;
  let sum = 0;
  for (let i = 0; i < X.rows; i++) {
    const v = X.data[from + i];
    if (v === v) {
      sum += v;
      count++;
    }
  }
  if (count === 0) return { mean: NaN, std: NaN, count };
  const mean = sum / count;
  let ss = 0;
  for (let i = 0; i < X.rows; i++) {
    const v = X.data[from + i];
    if (v === v) ss += (v - mean) * (v - mean);
  }
  return { mean, std: Math.sqrt(ss / count), count };
}

/** Observed counts of the codes 0..k−1 of categorical column j (other codes count as missing). */
export function categoryFrequencies(X: FeatureMatrix, j: number, k: number): Float64Array {
  const counts = new Float64Array(k);
  const from = j * X.rows;
  for (let i = 0; i < X.rows; i++) {
    const v = X.data[from + i];
    if (Number.isInteger(v) && v >= 0 && v < k) counts[v]++;
  }
  return counts;
}

/** The index of the largest value (the first on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
