import type { BinMapper } from './binning.js';
import { GrownTree } from './grown-tree.js';
import type { FeatureLayout } from './histogram.js';
import {
  BUILD,
  BUILD_WIDTH,
  KIND_BUILD,
  KIND_PARTITION,
  PARTITION,
  PARTITION_WIDTH,
  type OrderedRows,
} from './ordered-rows.js';
import { findBestSplit, leafWeight, Split, type SplitParams } from './split.js';

export interface GrowParams extends SplitParams {
  /** Levels below the root; ≤ 0 for no limit (only with maxLeaves > 0). */
  readonly maxDepth: number;
  /** 0: depth-wise growth; > 0: best-first growth up to this many leaves. */
  readonly maxLeaves: number;
  readonly gamma: number;
  readonly learningRate: number;
}

/** Runs tasks 0..count−1 of one kind from the OrderedRows tables, on one thread or several. */
export interface TaskRunner {
  readonly threads: number;
  run(kind: number, count: number): void;
  /** Puts the rows back in their original order (bins and ids), before a tree. */
  resetOrder(): void;
}

/** XGBoost's kRtEps: a split must gain more than this (and more than gamma). */
const MIN_GAIN = 1e-6;
/** Rows × features below which a node's histogram is built as one task (not split by features). */
const SPLIT_BUILD_CELLS = 200_000;

interface Open {
  node: number;
  depth: number;
  G: number;
  H: number;
  C: number;
  slot: number;
  split: Split | null;
}

interface Pending {
  item: Open;
  left: Open;
  right: Open;
  small: Open;
  large: Open;
  needSmall: boolean;
  needLarge: boolean;
}

/**
 * Grows one tree on rows in node order (see ordered-rows.ts), whose gradient pairs are filled and
 * whose positions start in row order. Depth-wise growth with `levelwise` works a level at a time:
 * all of a level's splits are partitioned as one batch of tasks, then all histograms it needs are
 * built as one batch, so threads share the work. Otherwise (best-first growth, or depth-wise when
 * a level's histograms would not fit), one node at a time: the open leaf with the largest gain, or
 * depth-first. Each split builds the histogram of its child with fewer rows and gets the other's
 * by subtracting it from the parent's; children that cannot split get none.
 */
export function growOrdered(
  b: OrderedRows,
  runner: TaskRunner,
  mapper: BinMapper,
  params: GrowParams,
  layout: FeatureLayout,
  G: number,
  H: number,
  C: number,
  levelwise: boolean,
  /** Partition splits into two final leaves too (leaf refits need each leaf's rows). */
  partitionLeaves = true,
): GrownTree {
  const tree = new GrownTree();
  const slots = Math.floor(b.hist.length / b.histSize);
  const free: number[] = [];
  for (let s = slots - 1; s >= 0; s--) free.push(s);
  const ctx = {
    b,
    runner,
    mapper,
    params,
    layout,
    tree,
    free,
    order: new Float64Array(512),
    partitionLeaves,
  };
  const root = tree.addNode(0, b.n, H, leafWeight(G, H, params.lambda, params.alpha) * params.learningRate);
  const first: Open = { node: root, depth: 0, G, H, C, slot: -1, split: null };
  if (canSplit(params, 0, C, H)) {
    first.slot = free.pop()!;
    build(ctx, [first]);
    first.split = evaluate(ctx, first);
  }
  const minGain = Math.max(params.gamma, MIN_GAIN);
  const worthy = (item: Open) => item.split !== null && item.split.feature >= 0 && item.split.gain > minGain;
  if (levelwise) {
    let level = [first];
    while (level.length > 0) {
      const splitting: Open[] = [];
      for (const item of level) {
        if (worthy(item)) splitting.push(item);
        else if (item.slot >= 0) free.push(item.slot);
      }
      level = splitting.length === 0 ? [] : splitLevel(ctx, splitting);
    }
    return tree;
  }
  const open = [first];
  const bestFirst = params.maxLeaves > 0;
  let leaves = 1;
  while (open.length > 0) {
    const item = bestFirst ? open.splice(bestOpen(open), 1)[0] : open.pop()!;
    if (!worthy(item) || (bestFirst && leaves >= params.maxLeaves)) {
      if (item.slot >= 0) free.push(item.slot);
      continue;
    }
    const children = splitLevel(ctx, [item]);
    leaves++;
    open.push(...children.reverse());
  }
  return tree;
}

interface Context {
  b: OrderedRows;
  runner: TaskRunner;
  mapper: BinMapper;
  params: GrowParams;
  layout: FeatureLayout;
  tree: GrownTree;
  free: number[];
  order: Float64Array;
  /** Whether splits into two final leaves still partition their rows (leaf refits need the rows). */
  partitionLeaves: boolean;
}

/** Splits the given nodes: one batch of partitions, one of histogram builds; returns the children. */
function splitLevel(ctx: Context, splitting: Open[]): Open[] {
  const { b, mapper, params, tree, free } = ctx;
  const { lambda, alpha, learningRate } = params;
  // A split into two leaves that can never split again needs no partition: the rows are routed when
  // the tree's values are added (saves the deepest level's partition, a fifth of all, at depth 6).
  const final = (item: Open) =>
    !ctx.partitionLeaves &&
    !canSplit(params, item.depth + 1, Infinity, item.split!.leftH) &&
    !canSplit(params, item.depth + 1, Infinity, item.H - item.split!.leftH);
  const partitioned = splitting.filter((item) => !final(item));
  partitioned.forEach((item, t) => {
    const split = item.split!;
    const p = t * PARTITION_WIDTH;
    const f = split.feature;
    b.partitions[p + PARTITION.start] = tree.start[item.node]!;
    b.partitions[p + PARTITION.end] = tree.end[item.node]!;
    b.partitions[p + PARTITION.feature] = f;
    b.partitions[p + PARTITION.threshold] = mapper.offsets[f] + split.threshold;
    b.partitions[p + PARTITION.defaultLeft] = split.defaultLeft ? 1 : 0;
    b.partitions[p + PARTITION.categorical] = split.categorical ? 1 : 0;
    if (split.categorical) b.catMasks.set(split.catMask, t * 256);
  });
  ctx.runner.run(KIND_PARTITION, partitioned.length);
  const pending: Pending[] = [];
  const toBuild: Open[] = [];
  let task = 0;
  splitting.forEach((item) => {
    const split = item.split!;
    if (final(item)) {
      const HR = item.H - split.leftH;
      const leftNode = tree.addNode(
        0,
        0,
        split.leftH,
        leafWeight(split.leftG, split.leftH, lambda, alpha) * learningRate,
      );
      const rightNode = tree.addNode(
        0,
        0,
        HR,
        leafWeight(item.G - split.leftG, HR, lambda, alpha) * learningRate,
      );
      tree.setSplit(item.node, split, leftNode, rightNode);
      tree.unpartitioned.push(item.node);
      free.push(item.slot);
      return;
    }
    const p = task++ * PARTITION_WIDTH;
    const start = tree.start[item.node];
    const end = tree.end[item.node];
    const mid = b.partitions[p + PARTITION.mid];
    const leftCount = b.partitions[p + PARTITION.leftCount];
    const GR = item.G - split.leftG;
    const HR = item.H - split.leftH;
    const leftNode = tree.addNode(
      start,
      mid,
      split.leftH,
      leafWeight(split.leftG, split.leftH, lambda, alpha) * learningRate,
    );
    const rightNode = tree.addNode(mid, end, HR, leafWeight(GR, HR, lambda, alpha) * learningRate);
    tree.setSplit(item.node, split, leftNode, rightNode);
    const depth = item.depth + 1;
    const left: Open = {
      node: leftNode,
      depth,
      G: split.leftG,
      H: split.leftH,
      C: leftCount,
      slot: -1,
      split: null,
    };
    const right: Open = {
      node: rightNode,
      depth,
      G: GR,
      H: HR,
      C: item.C - leftCount,
      slot: -1,
      split: null,
    };
    const needLeft = canSplit(params, depth, left.C, left.H);
    const needRight = canSplit(params, depth, right.C, right.H);
    const leftSmaller = mid - start <= end - mid;
    const [small, large] = leftSmaller ? [left, right] : [right, left];
    const needSmall = leftSmaller ? needLeft : needRight;
    const needLarge = leftSmaller ? needRight : needLeft;
    if (needSmall || needLarge) {
      small.slot = free.pop()!;
      toBuild.push(small);
    }
    if (!needLarge) free.push(item.slot);
    pending.push({ item, left, right, small, large, needSmall, needLarge });
  });
  if (toBuild.length > 0) build(ctx, toBuild);
  const children: Open[] = [];
  for (const { item, left, right, small, large, needSmall, needLarge } of pending) {
    if (needLarge) {
      subtract(b, item.slot, small.slot, ctx.layout);
      large.slot = item.slot;
    }
    if (!needSmall && small.slot >= 0) {
      free.push(small.slot);
      small.slot = -1;
    }
    for (const child of [left, right]) if (child.slot >= 0) child.split = evaluate(ctx, child);
    children.push(left, right);
  }
  return children;
}

/** Builds the histograms of `nodes` (slots assigned) as one batch; large nodes alone are split by features. */
function build(ctx: Context, nodes: Open[]): void {
  const { b, tree, runner } = ctx;
  const features = ctx.layout.features.length;
  // Large builds are split by features so that threads can balance them; sums stay per feature.
  const byFeature = runner.threads > 1;
  let count = 0;
  for (const node of nodes) {
    const start = tree.start[node.node];
    const end = tree.end[node.node];
    const parts =
      byFeature && (end - start) * features >= SPLIT_BUILD_CELLS ? Math.min(runner.threads, features) : 1;
    for (let part = 0; part < parts; part++) {
      const q = count++ * BUILD_WIDTH;
      b.builds[q + BUILD.start] = start;
      b.builds[q + BUILD.end] = end;
      b.builds[q + BUILD.slot] = node.slot;
      b.builds[q + BUILD.featFrom] = Math.floor((features * part) / parts);
      b.builds[q + BUILD.featTo] = Math.floor((features * (part + 1)) / parts);
    }
  }
  runner.run(KIND_BUILD, count);
}

function canSplit(params: GrowParams, depth: number, count: number, H: number): boolean {
  if (params.maxDepth > 0 && depth >= params.maxDepth) return false;
  return count >= 2 * Math.max(params.minSamplesLeaf, 1) && H >= 2 * params.minChildWeight;
}

function evaluate(ctx: Context, item: Open): Split {
  const { b } = ctx;
  const split = new Split();
  const hist = b.hist.subarray(item.slot * b.histSize, (item.slot + 1) * b.histSize);
  findBestSplit(hist, item.G, item.H, item.C, ctx.layout, ctx.mapper, ctx.params, ctx.order, split);
  return split;
}

function subtract(b: OrderedRows, parentSlot: number, childSlot: number, layout: FeatureLayout): void {
  const hist = b.hist;
  const delta = (childSlot - parentSlot) * b.histSize;
  const base = parentSlot * b.histSize;
  for (let j = 0; j < layout.features.length; j++) {
    const end = base + layout.histEnd[j];
    for (let k = base + layout.histStart[j]; k < end; k++) hist[k] -= hist[k + delta];
  }
}

/** The open node with the largest gain; ties go to the lower node id. */
function bestOpen(open: Open[]): number {
  let best = 0;
  for (let i = 1; i < open.length; i++) {
    const a = open[i];
    const b = open[best];
    const ga = a.split?.gain ?? -Infinity;
    const gb = b.split?.gain ?? -Infinity;
    if (ga > gb || (ga === gb && a.node < b.node)) best = i;
  }
  return best;
}
