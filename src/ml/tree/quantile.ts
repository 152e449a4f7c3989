/**
 * The q-quantile of `values` (reordered in place). Unweighted: linear interpolation between order
 * statistics (numpy's default), found by quickselect in linear time. Weighted: the smallest value
 * whose cumulative weight reaches q of the total (scikit-learn's weighted percentile).
 */
export function weightedQuantile(values: Float64Array, weights: Float64Array | null, q: number): number {
  const n = values.length;
  if (n === 0) return 0;
  if (weights === null) {
    const pos = q * (n - 1);
    const lo = Math.floor(pos);
    const a = select(values, lo);
    if (pos === lo) return a;
    // After select, the elements above lo are all ≥ a; the next order statistic is their minimum.
    let b = Infinity;
    for (let i = lo + 1; i < n; i++) if (values[i] < b) b = values[i]!;
    return a + (b - a) * (pos - lo);
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((i, j) => values[i] - values[j] || i - j);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i];
  const target = q * total;
  let cumulative = 0;
  for (let i = 0; i < n; i++) {
    cumulative += weights[order[i]];
    if (cumulative >= target) return values[order[i]];
  }
  return values[order[n - 1]];
}

export function weightedMedian(values: Float64Array, weights: Float64Array | null): number {
  return weightedQuantile(values, weights, 0.5);
}

/** Rearranges `a` so that a[k] is its k-th smallest value (Hoare's quickselect, median-of-three). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j]!;
  a[j] = t;
}
