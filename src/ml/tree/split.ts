import type { BinMapper } from './binning.js';
import { categoricalSplit } from './categorical-split.js';
import { nodeScore } from './leaf-score.js';
import type { FeatureLayout } from './histogram.js';

export { leafWeight, nodeScore, thresholdL1 } from './leaf-score.js';

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
  private mask: Uint8Array | null = null;
  defaultLeft = false;
  leftG = 0;
  leftH = 0;

  /** Categorical: catMask[bin] = 1 sends the bin left (made on first use: most splits are numeric). */
  get catMask(): Uint8Array {
    return (this.mask ??= new Uint8Array(256));
  }

  reset(): void {
    this.gain = 0;
    this.feature = -1;
  }
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
  mapper: Pick<BinMapper, 'nBins' | 'categorical' | 'otherBin'>,
  params: SplitParams,
  order: Float64Array,
  out: Split,
  /** Only the layout's features at positions from..to. */
  from = 0,
  to = layout.features.length,
): void {
  out.reset();
  if (!(H > 0)) return;
  const parent = nodeScore(G, H, params.lambda, params.alpha);
  const perHessian = C / H;
  const features = layout.features;
  for (let j = from; j < to; j++) {
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
  // Both sides need minSamplesLeaf estimated rows (round(h × C / H)) and minChildWeight of
  // hessian: one interval for the left side's hessian, so the scan does no rounding.
  const m = Math.max(p.minSamplesLeaf, 1);
  const lo = Math.max((m - 0.5) / perHessian, minChildWeight);
  const below = (C - m + 0.5) / perHessian;
  const atMost = H - minChildWeight;
  const mg = hist[base];
  const mh = hist[base + 1];
  let gl = 0;
  let hl = 0;
  // b = nb − 1 puts every value left: with missing right, the split "is missing".
  for (let b = 1; b < nb; b++) {
    const k = base + 2 * b;
    const h = hist[k + 1];
    if (h === 0) continue;
    gl += hist[k];
    hl += h;
    // Missing right.
    if (hl >= lo && hl < below && hl <= atMost) {
      const gain =
        alpha === 0
          ? (gl * gl) / (hl + lambda) + ((G - gl) * (G - gl)) / (H - hl + lambda) - parent
          : nodeScore(gl, hl, lambda, alpha) + nodeScore(G - gl, H - hl, lambda, alpha) - parent;
      if (gain > out.gain) {
        out.gain = gain;
        out.feature = f;
        out.categorical = false;
        out.threshold = b;
        out.defaultLeft = mh === 0 && hl >= H - hl;
        out.leftG = gl;
        out.leftH = hl;
      }
    }
    if (mh === 0) continue;
    // Missing left.
    const glm = gl + mg;
    const hlm = hl + mh;
    if (hlm >= lo && hlm < below && hlm <= atMost) {
      const gain =
        alpha === 0
          ? (glm * glm) / (hlm + lambda) + ((G - glm) * (G - glm)) / (H - hlm + lambda) - parent
          : nodeScore(glm, hlm, lambda, alpha) + nodeScore(G - glm, H - hlm, lambda, alpha) - parent;
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
