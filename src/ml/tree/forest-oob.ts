/** Out-of-bag estimates of a forest; rows never out of bag (NaN predictions) are left out. */

/** Out-of-bag predictions: per row and output, base + the mean of its out-of-bag trees' values; NaN for a row never out of bag. */
export function oobAverage(
  sum: Float64Array,
  trees: Uint32Array,
  base: Float64Array,
  K: number,
): Float64Array {
  const out = new Float64Array(sum.length);
  for (let r = 0; r < trees.length; r++) {
    for (let k = 0; k < K; k++) out[r * K + k] = trees[r] === 0 ? NaN : base[k] + sum[r * K + k] / trees[r];
  }
  return out;
}

/** Accuracy over the rows with a prediction (K = 1: P(class 1) > 0.5; else the arg max). */
export function oobAccuracy(y: Float64Array, pred: Float64Array, K: number): number {
  let right = 0;
  let m = 0;
  for (let r = 0; r < y.length; r++) {
    if (Number.isNaN(pred[r * K])) continue;
    let label = 0;
    if (K === 1) label = pred[r] > 0.5 ? 1 : 0;
    else for (let k = 1; k < K; k++) if (pred[r * K + k] > pred[r * K + label]) label = k;
    m++;
    if (label === y[r]) right++;
  }
  return m === 0 ? NaN : right / m;
}

/** R² over the rows with a prediction. */
export function oobRSquared(y: Float64Array, pred: Float64Array): number {
  let m = 0;
  let mean = 0;
  for (let r = 0; r < y.length; r++) {
    if (Number.isNaN(pred[r])) continue;
    m++;
    mean += (y[r] - mean) / m;
  }
  let res = 0;
  let tot = 0;
  for (let r = 0; r < y.length; r++) {
    if (Number.isNaN(pred[r])) continue;
    res += (y[r] - pred[r]) ** 2;
    tot += (y[r] - mean) ** 2;
  }
  return m === 0 ? NaN : tot > 0 ? 1 - res / tot : res === 0 ? 1 : 0;
}
