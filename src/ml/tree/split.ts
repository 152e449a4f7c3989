import type { BinMapper } from './binning.js';
import type { FeatureLayout } from './histogram.js';

/** The regularisation split search needs (see GbdtParams for meanings and defaults). */
export interface SplitParams {
  readonly lambda: number;
  readonly alpha: number;
  readonly minChildWeight: number;
  readonly minSamplesLeaf: number;
  readonly maxCatToOnehot: number;
  readonly maxCatThreshold: number;
  readonly catSmooth: number;
  readonly catL2: number;
  readonly minDataPerGroup: number;
}

/** The best split of one node, as bins: numeric "bin ≤ threshold" or categorical "bin in mask" goes left. */
export class Split {
  gain = 0;
  /** Feature index in the matrix; −1 when no valid split was found. */
  feature = -1;
  categorical = false;
  /** Numeric: value bins 1..threshold go left. */
  threshold = 0;
  /** Categorical: catMask[bin] = 1 sends the bin left. */
  readonly catMask = new Uint8Array(256);
  defaultLeft = false;
  leftG = 0;
  leftH = 0;

  reset(): void {
    this.gain = 0;
    this.feature = -1;
  }
}

/** L1 soft-thresholding of a gradient sum (XGBoost's ThresholdL1). */
export function thresholdL1(g: number, alpha: number): number {
  return g > alpha ? g - alpha : g < -alpha ? g + alpha : 0;
}

/** XGBoost's structure score of a node: ThresholdL1(G)² / (H + λ). */
export function nodeScore(g: number, h: number, lambda: number, alpha: number): number {
  const t = g > alpha ? g - alpha : g < -alpha ? g + alpha : 0;
  return (t * t) / (h + lambda);
}

/** XGBoost's leaf weight −ThresholdL1(G) / (H + λ), before shrinkage. */
export function leafWeight(g: number, h: number, lambda: number, alpha: number): number {
  return -thresholdL1(g, alpha) / (h + lambda);
}

/**
 * Searches every layout feature of `hist` for the split with the largest gain (XGBoost's loss
 * change: score(left) + score(right) − score(node)) into `out`; ties keep the earlier feature and
 * bin, so the result does not depend on thread count. Missing values are tried on both sides.
 * Row counts of a side are estimated as its hessian × C / H (LightGBM's rule; exact for unweighted
 * squared error), C being the node's exact row count.
 */
export function findBestSplit(
  hist: Float64Array,
  G: number,
  H: number,
  C: number,
  layout: FeatureLayout,
  mapper: BinMapper,
  params: SplitParams,
  order: Float64Array,
  out: Split,
): void {
  out.reset();
  if (!(H > 0)) return;
  const parent = nodeScore(G, H, params.lambda, params.alpha);
  const perHessian = C / H;
  const features = layout.features;
  for (let j = 0; j < features.length; j++) {
    const f = features[j];
    const base = layout.histStart[j];
    const nb = mapper.nBins[f];
    if (mapper.categorical[f] === 1) {
      categoricalSplit(
        hist,
        base,
        nb,
        mapper.otherBin[f],
        G,
        H,
        C,
        perHessian,
        parent,
        params,
        f,
        order,
        out,
      );
    } else {
      numericSplit(hist, base, nb, G, H, C, perHessian, parent, params, f, out);
    }
  }
}

function numericSplit(
  hist: Float64Array,
  base: number,
  nb: number,
  G: number,
  H: number,
  C: number,
  perHessian: number,
  parent: number,
  p: SplitParams,
  f: number,
  out: Split,
): void {
  const { lambda, alpha, minChildWeight } = p;
  const minSamplesLeaf = Math.max(p.minSamplesLeaf, 1);
  const mg = hist[base];
  const mh = hist[base + 1];
  const mc = Math.round(mh * perHessian);
  let gl = 0;
  let hl = 0;
  // b = nb − 1 puts every value left: with missing right, the split "is missing".
  for (let b = 1; b < nb; b++) {
    const k = base + 2 * b;
    const h = hist[k + 1];
    if (h === 0) continue;
    gl += hist[k];
    hl += h;
    const cl = Math.round(hl * perHessian);
    // Missing right.
    let cr = C - cl;
    if (cr >= minSamplesLeaf && cl >= minSamplesLeaf) {
      const hr = H - hl;
      if (hl >= minChildWeight && hr >= minChildWeight) {
        const gain = nodeScore(gl, hl, lambda, alpha) + nodeScore(G - gl, hr, lambda, alpha) - parent;
        if (gain > out.gain) {
          out.gain = gain;
          out.feature = f;
          out.categorical = false;
          out.threshold = b;
          out.defaultLeft = mh === 0 && hl >= hr;
          out.leftG = gl;
          out.leftH = hl;
        }
      }
    }
    if (mh === 0) continue;
    // Missing left.
    const glm = gl + mg;
    const hlm = hl + mh;
    const clm = cl + mc;
    cr = C - clm;
    if (cr >= minSamplesLeaf && clm >= minSamplesLeaf) {
      const hr = H - hlm;
      if (hlm >= minChildWeight && hr >= minChildWeight) {
        const gain = nodeScore(glm, hlm, lambda, alpha) + nodeScore(G - glm, hr, lambda, alpha) - parent;
        if (gain > out.gain) {
          out.gain = gain;
          out.feature = f;
          out.categorical = false;
          out.threshold = b;
          out.defaultLeft = true;
          out.leftG = glm;
          out.leftH = hlm;
        }
      }
    }
  }
}

/**
 * LightGBM's categorical search. Up to maxCatToOnehot categories: one category against the rest.
 * More: categories with at least catSmooth rows, sorted by G / (H + catSmooth), and each prefix of
 * that order from either end (at most maxCatThreshold categories, each side ≥ minDataPerGroup rows)
 * goes left, its gain computed with the extra L2 catL2. Missing values are tried on both sides.
 */
function categoricalSplit(
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
