import type { BinMapper } from './binning.js';
import { GrownTree } from './grown-tree.js';
import {
  KIND_NODES,
  KIND_PARTITION,
  NODE,
  NODE_WIDTH,
  PARTITION,
  PARTITION_WIDTH,
  takeBetter,
  type OrderedRows,
} from './ordered-rows.js';
import { leafWeight, Split, type SplitParams } from './split.js';

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
  /** Returns the number of threads that took part (node tasks: threads 0.. took ascending feature ranges). */
  run(kind: number, count: number): number;
  /** Sums the gradient pairs of all positions into the rows' totals. */
  totals(): void;
}

/** XGBoost's kRtEps: a split must gain more than this (and more than gamma). */
const MIN_GAIN = 1e-6;

interface Open {
  node: number;
  depth: number;
  G: number;
  H: number;
  C: number;
  slot: number;
  split: Split | null;
}

/** A histogram to build, and the sibling whose histogram then comes from its parent's slot by subtraction. */
interface NodeWork {
  built: Open;
  searchBuilt: boolean;
  sibling: Open | null;
}

interface Pending {
  left: Open;
  right: Open;
  small: Open;
  needSmall: boolean;
}

/**
 * Grows one tree on rows in node order (see ordered-rows.ts), whose gradient pairs are filled and
 * whose positions start in row order, on the features rows.features lists. Depth-wise growth with
 * `levelwise` works a level at a time: all of a level's splits are partitioned as one batch of
 * tasks, then all histograms it needs are built and searched as one batch of node tasks, so threads
 * share the work. Otherwise (best-first growth, or depth-wise when a level's histograms would not
 * fit), one node at a time: the open leaf with the largest gain, or depth-first. Each split builds
 * the histogram of its child with fewer rows and gets the other's by subtracting it from the
 * parent's; children that cannot split get none.
 */
export function growOrdered(
  b: OrderedRows,
  runner: TaskRunner,
  mapper: BinMapper,
  params: GrowParams,
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
    tree,
    free,
    partitionLeaves,
  };
  const root = tree.addNode(0, b.n, H, leafWeight(G, H, params.lambda, params.alpha) * params.learningRate);
  const first: Open = { node: root, depth: 0, G, H, C, slot: -1, split: null };
  if (canSplit(params, 0, C, H)) {
    first.slot = free.pop()!;
    runNodes(ctx, [{ built: first, searchBuilt: true, sibling: null }]);
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
  tree: GrownTree;
  free: number[];
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
  const work: NodeWork[] = [];
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
      if (needLarge) large.slot = item.slot;
      work.push({ built: small, searchBuilt: needSmall, sibling: needLarge ? large : null });
    }
    if (!needLarge) free.push(item.slot);
    pending.push({ left, right, small, needSmall });
  });
  for (let from = 0; from < work.length; from += b.nodeTasks) {
    runNodes(ctx, work.slice(from, from + b.nodeTasks));
  }
  const children: Open[] = [];
  for (const { left, right, small, needSmall } of pending) {
    if (!needSmall && small.slot >= 0) {
      free.push(small.slot);
      small.slot = -1;
    }
    children.push(left, right);
  }
  return children;
}

/**
 * Builds, subtracts and searches `work` (at most b.nodeTasks items) as one batch of node tasks,
 * then sets each searched node's split: the first best over the threads' feature ranges.
 */
function runNodes(ctx: Context, work: NodeWork[]): void {
  const { b, tree } = ctx;
  const q = b.nodes;
  work.forEach(({ built, searchBuilt, sibling }, task) => {
    const t = task * NODE_WIDTH;
    q[t + NODE.start] = tree.start[built.node];
    q[t + NODE.end] = tree.end[built.node];
    q[t + NODE.slot] = built.slot;
    q[t + NODE.G] = built.G;
    q[t + NODE.H] = built.H;
    q[t + NODE.C] = built.C;
    q[t + NODE.search] = searchBuilt ? 1 : 0;
    q[t + NODE.sibling] = sibling === null ? -1 : sibling.slot;
    q[t + NODE.siblingG] = sibling === null ? 0 : sibling.G;
    q[t + NODE.siblingH] = sibling === null ? 0 : sibling.H;
    q[t + NODE.siblingC] = sibling === null ? 0 : sibling.C;
    q[t + NODE.siblingSearch] = sibling === null ? 0 : 1;
  });
  const threads = ctx.runner.run(KIND_NODES, work.length);
  const best = (task: number, which: number) => {
    const split = new Split();
    for (let thread = 0; thread < threads; thread++) {
      takeBetter(b, (thread * b.nodeTasks + task) * 2 + which, split);
    }
    return split;
  };
  work.forEach(({ built, searchBuilt, sibling }, task) => {
    if (searchBuilt) built.split = best(task, 0);
    if (sibling !== null) sibling.split = best(task, 1);
  });
}

function canSplit(params: GrowParams, depth: number, count: number, H: number): boolean {
  if (params.maxDepth > 0 && depth >= params.maxDepth) return false;
  return count >= 2 * Math.max(params.minSamplesLeaf, 1) && H >= 2 * params.minChildWeight;
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
