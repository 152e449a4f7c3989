import { nodeScore } from './leaf-score.js';
import type { Split, SplitParams } from './split.js';

/**
 * LightGBM's categorical search. Up to maxCatToOnehot categories: one category against the rest.
 * More: categories with at least catSmooth rows, sorted by G / (H + catSmooth), and each prefix of
 * that order from either end (at most maxCatThreshold categories, each side ≥ minDataPerGroup rows)
 * goes left, its gain computed with the extra L2 catL2. Missing values are tried on both sides.
 */
export function categoricalSplit(
  hist: Float64Array,
  base: number,
  nb: number,
  otherBin: number,
  G: number,
  H: number,
  C: number,
  perHessian: number,
  parent: number,
  p: SplitParams,
  f: number,
  order: Float64Array,
  out: Split,
): void {
  let used = 0;
  for (let b = 1; b < nb; b++) if (b !== otherBin && hist[base + 2 * b + 1] > 0) used++;
  if (used === 0) return;
  if (used <= p.maxCatToOnehot) {
    for (let b = 1; b < nb; b++) {
      if (b === otherBin || !(hist[base + 2 * b + 1] > 0)) continue;
      order[0] = b;
      tryCategorySet(hist, base, order, 0, 1, G, H, C, perHessian, parent, p, p.lambda, 1, f, out);
    }
    return;
  }
  // Sort the eligible bins by their gradient ratio (keys in the upper half of `order`).
  let m = 0;
  const minRows = Math.max(p.catSmooth, 1);
  for (let b = 1; b < nb; b++) {
    if (b !== otherBin && Math.round(hist[base + 2 * b + 1] * perHessian) >= minRows) order[m++] = b;
  }
  if (m < 2) return;
  const keys = order.subarray(256, 256 + m);
  for (let i = 0; i < m; i++) {
    const k = base + 2 * order[i];
    keys[i] = hist[k] / (hist[k + 1] + p.catSmooth);
  }
  sortByKeys(order, keys, m);
  const maxLeft = Math.min(p.maxCatThreshold, (m + 1) >> 1);
  const lambda = p.lambda + p.catL2;
  tryCategorySet(
    hist,
    base,
    order,
    0,
    maxLeft,
    G,
    H,
    C,
    perHessian,
    parent,
    p,
    lambda,
    p.minDataPerGroup,
    f,
    out,
  );
  // The same prefixes from the other end: reverse the order in place.
  for (let i = 0, j = m - 1; i < j; i++, j--) {
    const t = order[i];
    order[i] = order[j]!;
    order[j] = t;
  }
  tryCategorySet(
    hist,
    base,
    order,
    0,
    maxLeft,
    G,
    H,
    C,
    perHessian,
    parent,
    p,
    lambda,
    p.minDataPerGroup,
    f,
    out,
  );
}

/** Tries the left sets order[from..from+1], …, order[from..from+len] with missing on each side. */
function tryCategorySet(
  hist: Float64Array,
  base: number,
  order: Float64Array,
  from: number,
  len: number,
  G: number,
  H: number,
  C: number,
  perHessian: number,
  parent: number,
  p: SplitParams,
  lambda: number,
  minGroup: number,
  f: number,
  out: Split,
): void {
  const { alpha, minChildWeight } = p;
  const minRows = Math.max(p.minSamplesLeaf, minGroup, 1);
  const mg = hist[base];
  const mh = hist[base + 1];
  let gl = 0;
  let hl = 0;
  for (let i = from; i < from + len; i++) {
    const k = base + 2 * order[i];
    gl += hist[k];
    hl += hist[k + 1];
    for (let side = 0; side < (mh > 0 ? 2 : 1); side++) {
      const g = side === 0 ? gl : gl + mg;
      const h = side === 0 ? hl : hl + mh;
      const c = Math.round(h * perHessian);
      const cr = C - c;
      const hr = H - h;
      if (c < minRows || cr < minRows || h < minChildWeight || hr < minChildWeight) continue;
      const gain = nodeScore(g, h, lambda, alpha) + nodeScore(G - g, hr, lambda, alpha) - parent;
      if (gain > out.gain) {
        out.gain = gain;
        out.feature = f;
        out.categorical = true;
        out.defaultLeft = side === 1 || (mh === 0 && h >= hr);
        out.catMask.fill(0);
        for (let t = from; t <= i; t++) out.catMask[order[t]] = 1;
        out.leftG = g;
        out.leftH = h;
      }
    }
  }
}

/** Insertion sort of order[0..m) by keys (ascending; ties by bin), m ≤ 255. */
function sortByKeys(order: Float64Array, keys: Float64Array, m: number): void {
  for (let i = 1; i < m; i++) {
    const key = keys[i];
    const bin = order[i];
    let j = i - 1;
    while (j >= 0 && (keys[j] > key || (keys[j] === key && order[j] > bin))) {
      keys[j + 1] = keys[j]!;
      order[j + 1] = order[j]!;
      j--;
    }
    keys[j + 1] = key;
    order[j + 1] = bin;
  }
}
