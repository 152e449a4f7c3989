import type { Random } from '../../core/random.js';
import type { BinMapper } from './binning.js';
import { GrownTree } from './grown-tree.js';
import { buildHistogram, clearHistogram, forestRows, loadRows, partitionRows } from './forest-rows.js';
import { featureLayout } from './histogram.js';
import { findBestSplit, Split, type SplitParams } from './split.js';

/** How far a forest tree grows (scikit-learn's names and meanings). */
export interface ForestGrowParams {
  /** Levels below the root; 0 for no limit. */
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  readonly minSamplesSplit: number;
  /** Features drawn (without replacement) at each split, 1..features. */
  readonly maxFeatures: number;
}

/** Grows one tree from gradient pairs in row order (gh[2r] = −w·y, gh[2r + 1] = w; w = 0 leaves the row out). */
export type ForestTreeGrower = (gh: Float64Array, random: Random) => GrownTree;

interface Open {
  node: number;
  depth: number;
  G: number;
  H: number;
  /** The node's histogram, or null when the node cannot split. */
  hist: Float64Array | null;
  /** Whether hist was built from the node's rows alone (its non-zero slots are their bins), not by subtraction. */
  direct: boolean;
}

/**
 * A CART grower over the GBDT's binned rows: with squared loss, λ = 0 and gradient pairs
 * (−w·y, w), the shared split search's gain G_L²/H_L + G_R²/H_R − G²/H is exactly the weighted
 * variance reduction, and −G/H is the weighted mean of y — a regression tree, and for 0/1 targets
 * a Gini tree (Gini = 2 × variance). Unlike boosting's grower it draws `maxFeatures` features at
 * every node, as Breiman's forests do; features constant in the node do not count towards the draw
 * (scikit-learn's rule). Growth is depth-first, the in-sample rows kept in node order and
 * partitioned in place (forest-rows.ts), each split building its smaller child's histogram
 * and deriving the larger's by subtraction. Leaf values are weighted means of y (unscaled).
 */
export function forestTreeGrower(
  bins: Uint8Array,
  n: number,
  mapper: BinMapper,
  params: ForestGrowParams,
): ForestTreeGrower {
  const F = mapper.features;
  const offsets = mapper.offsets;
  const histSize = 2 * offsets[F];
  const rows = forestRows(bins, n, offsets);
  const splitParams: SplitParams = {
    lambda: 0,
    alpha: 0,
    // Guards G²/H against an empty side; real weights are far larger.
    minChildWeight: 1e-9,
    minSamplesLeaf: params.minSamplesLeaf,
    // Categories ordered by mean target and cut once: Breiman's optimal partition for squared loss and binary Gini.
    maxCatToOnehot: 1,
    maxCatThreshold: 256,
    catSmooth: 0,
    catL2: 0,
    minDataPerGroup: params.minSamplesLeaf,
  };
  // Histograms in `free` are all zeros; a directly built small one is cleared through its rows' bins only.
  const free: Float64Array[] = [];
  const take = () => free.pop() ?? new Float64Array(histSize);
  const release = (hist: Float64Array, direct: boolean, s: number, e: number) => {
    if (direct && (e - s) * F * 2 < histSize) clearHistogram(rows, s, e, hist);
    else hist.fill(0);
    free.push(hist);
  };
  const perm = Int32Array.from({ length: F }, (_, f) => f);
  const chosen = new Int32Array(F);
  const order = new Float64Array(512);
  const split = new Split();
  const sums = new Float64Array(3);
  const allFeatures = featureLayout(Int32Array.from(perm), offsets);
  const minSplit = Math.max(params.minSamplesSplit, 2 * params.minSamplesLeaf, 2);
  const canSplit = (depth: number, count: number) =>
    (params.maxDepth <= 0 || depth < params.maxDepth) && count >= minSplit;

  return (gh, random) => {
    const m = loadRows(rows, gh, sums);
    const G = sums[0];
    const H = sums[1];
    const yy = sums[2];
    const tree = new GrownTree();
    if (m === 0) {
      tree.addNode(0, 0, 0, 0);
      return tree;
    }
    // Splits must beat rounding noise of the weighted sum of squares around the mean.
    const minGain = Math.max(yy - (G * G) / H, 0) * 1e-12 + Number.MIN_VALUE;
    const root = tree.addNode(0, m, H, -G / H);
    const stack: Open[] = [{ node: root, depth: 0, G, H, hist: null, direct: true }];
    if (canSplit(0, m)) {
      stack[0].hist = buildHistogram(rows, 0, m, take());
    }
    while (stack.length > 0) {
      const item = stack.pop()!;
      const hist = item.hist;
      if (hist === null) continue;
      const start = tree.start[item.node];
      const end = tree.end[item.node];
      const layout =
        params.maxFeatures >= F
          ? allFeatures
          : drawFeatures(hist, mapper, params.maxFeatures, random, perm, chosen);
      findBestSplit(hist, item.G, item.H, end - start, layout, mapper, splitParams, order, split);
      if (split.feature < 0 || !(split.gain > minGain)) {
        release(hist, item.direct, start, end);
        continue;
      }
      const mid = partitionRows(
        rows,
        start,
        end,
        split.feature,
        split.threshold,
        split.defaultLeft,
        split.categorical ? split.catMask : null,
      );
      const GR = item.G - split.leftG;
      const HR = item.H - split.leftH;
      const leftNode = tree.addNode(start, mid, split.leftH, -split.leftG / split.leftH);
      const rightNode = tree.addNode(mid, end, HR, -GR / HR);
      tree.setSplit(item.node, split, leftNode, rightNode);
      const depth = item.depth + 1;
      const left: Open = { node: leftNode, depth, G: split.leftG, H: split.leftH, hist: null, direct: false };
      const right: Open = { node: rightNode, depth, G: GR, H: HR, hist: null, direct: false };
      const leftSmaller = mid - start <= end - mid;
      const [small, large] = leftSmaller ? [left, right] : [right, left];
      const needSmall = canSplit(depth, tree.end[small.node] - tree.start[small.node]);
      const needLarge = canSplit(depth, tree.end[large.node] - tree.start[large.node]);
      if (needLarge && (end - start) * F * 2 >= histSize) {
        const smallHist = buildHistogram(rows, tree.start[small.node], tree.end[small.node], take());
        for (let k = 0; k < histSize; k++) hist[k] -= smallHist[k];
        large.hist = hist;
        if (needSmall) {
          small.hist = smallHist;
          small.direct = true;
        } else release(smallHist, true, tree.start[small.node], tree.end[small.node]);
      } else {
        // A small node's children are cheaper to build than to derive by a pass over the whole histogram.
        release(hist, item.direct, start, end);
        for (const [child, need] of [
          [small, needSmall],
          [large, needLarge],
        ] as const) {
          if (!need) continue;
          child.hist = buildHistogram(rows, tree.start[child.node], tree.end[child.node], take());
          child.direct = true;
        }
      }
      stack.push(right, left);
    }
    return tree;
  };
}

/**
 * `count` features drawn without replacement (partial Fisher–Yates over `perm`), skipping those
 * constant in the node (one occupied bin, missing included), as a layout in ascending order.
 */
function drawFeatures(
  hist: Float64Array,
  mapper: BinMapper,
  count: number,
  random: Random,
  perm: Int32Array,
  chosen: Int32Array,
) {
  const F = perm.length;
  let k = 0;
  for (let i = 0; i < F && k < count; i++) {
    const j = i + random.int(F - i);
    const f = perm[j];
    perm[j] = perm[i]!;
    perm[i] = f;
    let occupied = 0;
    const end = 2 * mapper.offsets[f + 1];
    for (let s = 2 * mapper.offsets[f] + 1; s < end && occupied < 2; s += 2) if (hist[s] > 0) occupied++;
    if (occupied >= 2) chosen[k++] = f;
  }
  return featureLayout(chosen.slice(0, k).sort(), mapper.offsets);
}
