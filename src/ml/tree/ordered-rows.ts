import type { BinMapper } from './binning.js';
import { buildKernels, type BuildKernels } from './build-kernels.js';
import { featureLayout, type FeatureLayout } from './histogram.js';
import { partitionKernel, resetKernel, type PartitionKernel } from './partition-kernel.js';
import { findBestSplit, Split, type SplitParams } from './split.js';

/**
 * Rows kept in node order while a tree grows, and the two tasks that work on them (run by the
 * WebAssembly kernels in build-kernels.ts and partition-kernel.ts). Each node's
 * rows are one contiguous range of positions: its bins (row-major global bin numbers, see
 * histogram.ts), gradient pairs and original row ids. A split partitions its node's range in
 * place, so every histogram is built by a purely sequential pass — on this project's machines
 * 7 ns per update against 10–25 ns when a deep node's scattered rows are gathered through an index.
 * Each tree starts again from the original order (`pristine`), so margins, labels and gradients
 * stay in row order and only the ids map positions back to rows.
 *
 * Work is described by tasks in shared tables, so the calling thread and pool workers can take
 * disjoint sets of tasks; every task is done by one thread in a fixed order, which keeps results
 * independent of the number of threads.
 */
export interface OrderedRows {
  readonly n: number;
  /** Features per row. */
  readonly F: number;
  /** Bins per row in `pristine` and `bins`: F rounded up to whole 32-bit words. */
  readonly stride: number;
  /** Bins in original row order (row-major global bin numbers), in the kernels' memory too. */
  readonly pristine: Uint16Array | Uint32Array;
  /** Bins in node order. This array, gh, ids, hist, spare, features, partitions and catMasks sit in one WebAssembly memory. */
  readonly bins: Uint16Array | Uint32Array;
  /** Gradient pairs in node order (2 per position); a zero hessian marks a row outside the tree's sample. */
  readonly gh: Float64Array;
  /** Sums over all positions: G, H, and the number of rows with a hessian > 0. */
  readonly totals: Float64Array;
  /** Original row of each position. */
  readonly ids: Uint32Array;
  /** Histogram slots, histSize numbers each (gradient, hessian per global bin). */
  readonly hist: Float64Array;
  /** One spare histogram per thread (see buildTask). */
  readonly spare: Float64Array;
  readonly histSize: number;
  /** Per feature: first global bin (length F + 1). */
  readonly offsets: Int32Array;
  /** The tree's features (ascending) and their count (all when = F). */
  readonly features: Int32Array;
  readonly featureCount: Int32Array;
  /** Partition tasks, PARTITION_WIDTH numbers each; results written back into them. */
  readonly partitions: Float64Array;
  /** Categorical masks of partition tasks: 256 flags by local bin, at task × 256. */
  readonly catMasks: Uint8Array;
  /** Node tasks, NODE_WIDTH numbers each (see nodesTask). */
  readonly nodes: Float64Array;
  /** Best splits found by node tasks: per thread, per task, the built node's then its sibling's (SPLIT_WIDTH numbers each). */
  readonly splits: Float64Array;
  /** Categorical masks of those splits: 256 flags by local bin each, in the same order. */
  readonly splitMasks: Uint8Array;
  /** Node tasks per table (and per thread in `splits`). */
  readonly nodeTasks: number;
  /** What split search needs besides histograms. */
  readonly search: SplitSearch;
  /** Order in which threads take tasks: thread t does order[from..to) given in its arguments. */
  readonly order: Int32Array;
}

/** The bins' description and the regularisation split search reads. */
export interface SplitSearch {
  readonly bins: Pick<BinMapper, 'nBins' | 'categorical' | 'otherBin'>;
  readonly params: SplitParams;
}

/** The kernels a thread runs on the rows (compiled per thread against the rows' shared memory). */
export interface RowKernels {
  readonly build: BuildKernels;
  readonly partition: PartitionKernel;
  /** Positions from..to back to the original row order (before each tree). */
  readonly reset: (from: number, to: number) => void;
  /** The thread's own split and scratch buffer for split search. */
  readonly split: Split;
  readonly order: Float64Array;
  /** The layout of the last node tasks' features (kept while the tree's features stay the same). */
  layout: FeatureLayout | null;
}

export function rowKernels(rows: OrderedRows, memory: WebAssembly.Memory): RowKernels {
  return {
    build: buildKernels(rows, memory),
    partition: partitionKernel(rows, memory),
    reset: resetKernel(rows, memory),
    split: new Split(),
    order: new Float64Array(512),
    layout: null,
  };
}

export const PARTITION = {
  start: 0,
  end: 1,
  feature: 2,
  threshold: 3,
  defaultLeft: 4,
  categorical: 5,
  mid: 6,
  leftCount: 7,
} as const;
export const PARTITION_WIDTH = 8;
/**
 * A node task builds the histogram of positions start..end into `slot`, then, when `sibling` ≥ 0,
 * turns the parent's histogram in slot `sibling` into the sibling's by subtraction, and searches
 * the nodes flagged `search` / `siblingSearch` (with their sums G, H and row count C) for splits.
 */
export const NODE = {
  start: 0,
  end: 1,
  slot: 2,
  G: 3,
  H: 4,
  C: 5,
  search: 6,
  sibling: 7,
  siblingG: 8,
  siblingH: 9,
  siblingC: 10,
  siblingSearch: 11,
} as const;
export const NODE_WIDTH = 12;
/** A split found by a node task (feature −1: none). */
export const SPLIT = {
  gain: 0,
  feature: 1,
  categorical: 2,
  threshold: 3,
  defaultLeft: 4,
  leftG: 5,
  leftH: 6,
} as const;
export const SPLIT_WIDTH = 7;

/**
 * Kernel arguments: which table; partitions: the slice order[from..to) of tasks this thread
 * takes; node tasks: all `count` of them, for the used features at positions from..to.
 */
export const TASK_ARGS = { kind: 0, from: 1, to: 2, thread: 3, count: 4 } as const;
export const KIND_PARTITION = 0;
export const KIND_NODES = 1;

/** Runs this thread's share of a batch of one kind (the kernel every thread runs). */
export function runTasks(b: OrderedRows, kernels: RowKernels, args: Float64Array): void {
  const from = args[TASK_ARGS.from] | 0;
  const to = args[TASK_ARGS.to] | 0;
  if (args[TASK_ARGS.kind] === KIND_PARTITION) {
    for (let i = from; i < to; i++) partitionTask(b, kernels.partition, b.order[i]);
  } else {
    nodesTask(b, kernels, args[TASK_ARGS.count] | 0, from, to, args[TASK_ARGS.thread] | 0);
  }
}

/**
 * Partitions positions start..end by the task's split (Hoare's scheme, in place): rows going left
 * end up first. Writes the first right position and the number of in-sample rows on the left.
 */
export function partitionTask(b: OrderedRows, partition: PartitionKernel, task: number): void {
  const t = task * PARTITION_WIDTH;
  const p = b.partitions;
  const f = p[t + PARTITION.feature] | 0;
  const missing = b.offsets[f];
  partition(
    p[t + PARTITION.start],
    p[t + PARTITION.end],
    f,
    p[t + PARTITION.threshold],
    p[t + PARTITION.defaultLeft],
    p[t + PARTITION.categorical],
    task * 256 - missing,
    missing,
    t + PARTITION.mid,
  );
}

/**
 * Node tasks 0..count−1 for the used features at positions featFrom..featTo: each thread takes
 * a range of features of every task, so a feature's histogram, subtraction and split search stay
 * on one thread and need no barrier. The thread's best split per node (over its features) goes to
 * its part of `splits`; the caller keeps the first best over the threads in feature order, which
 * is the split one thread searching all features finds.
 */
export function nodesTask(
  b: OrderedRows,
  kernels: RowKernels,
  count: number,
  featFrom: number,
  featTo: number,
  thread: number,
): void {
  const layout = currentLayout(b, kernels);
  const q = b.nodes;
  for (let task = 0; task < count; task++) {
    const t = task * NODE_WIDTH;
    const slot = q[t + NODE.slot] | 0;
    const sibling = q[t + NODE.sibling] | 0;
    buildTask(
      b,
      kernels.build,
      layout,
      q[t + NODE.start] | 0,
      q[t + NODE.end] | 0,
      slot,
      featFrom,
      featTo,
      thread,
    );
    if (sibling >= 0) subtract(b, kernels.build, layout, sibling, slot, featFrom, featTo);
    const record = (thread * b.nodeTasks + task) * 2;
    if (q[t + NODE.search] === 1) {
      search(b, kernels, layout, slot, q[t + NODE.G], q[t + NODE.H], q[t + NODE.C], featFrom, featTo, record);
    }
    if (q[t + NODE.siblingSearch] === 1) {
      search(
        b,
        kernels,
        layout,
        sibling,
        q[t + NODE.siblingG],
        q[t + NODE.siblingH],
        q[t + NODE.siblingC],
        featFrom,
        featTo,
        record + 1,
      );
    }
  }
}

function currentLayout(b: OrderedRows, kernels: RowKernels): FeatureLayout {
  const count = b.featureCount[0];
  const last = kernels.layout?.features;
  let same = last !== undefined && last.length === count;
  for (let j = 0; same && j < count; j++) same = last![j] === b.features[j];
  if (!same) kernels.layout = featureLayout(b.features.slice(0, count), b.offsets);
  return kernels.layout!;
}

/**
 * Adds positions s..e to histogram slot `slot` for used features featFrom..featTo. Neighbouring
 * rows often share bins (rows of a node agree on its splits; data often arrive sorted), and then
 * each addition waits for the previous one to reach memory; on large nodes, even and odd rows go
 * to two histograms (the second in the thread's spare histogram) summed at the end — 1.6× faster
 * on flights. Whether a node is large is judged on all its features, so that a feature's sums do
 * not depend on how features are shared among threads.
 */
function buildTask(
  b: OrderedRows,
  kernels: BuildKernels,
  layout: FeatureLayout,
  s: number,
  e: number,
  slot: number,
  featFrom: number,
  featTo: number,
  thread: number,
): void {
  const { F, hist } = b;
  const hb = slot * b.histSize;
  const lo = layout.histStart[featFrom];
  const hi = layout.histEnd[featTo - 1];
  hist.fill(0, hb + lo, hb + hi);
  if (!layout.all) {
    kernels.sampled(s, e, featFrom, featTo, hb);
    return;
  }
  if ((e - s) * F < 4 * layout.histEnd[F - 1]) {
    kernels.all(s, e, featFrom, featTo, hb);
    return;
  }
  const spare = thread * b.histSize;
  b.spare.fill(0, spare + lo, spare + hi);
  const paired = s + ((e - s) & ~1);
  kernels.pairs(s, paired, featFrom, featTo, hb, spare);
  kernels.all(paired, e, featFrom, featTo, hb);
  kernels.fold(lo, hi, hb, spare);
}

/** Parent's histogram (slot `parent`) minus a child's: the other child's, for features featFrom..featTo. */
function subtract(
  b: OrderedRows,
  kernels: BuildKernels,
  layout: FeatureLayout,
  parent: number,
  child: number,
  featFrom: number,
  featTo: number,
): void {
  const at = parent * b.histSize;
  const childAt = child * b.histSize;
  if (layout.all) {
    kernels.subtract(layout.histStart[featFrom], layout.histEnd[featTo - 1], at, childAt);
    return;
  }
  for (let j = featFrom; j < featTo; j++)
    kernels.subtract(layout.histStart[j], layout.histEnd[j], at, childAt);
}

/** The best split of the node in `slot` over features featFrom..featTo into split record `record`. */
function search(
  b: OrderedRows,
  kernels: RowKernels,
  layout: FeatureLayout,
  slot: number,
  G: number,
  H: number,
  C: number,
  featFrom: number,
  featTo: number,
  record: number,
): void {
  const { split, order } = kernels;
  const hist = b.hist.subarray(slot * b.histSize, (slot + 1) * b.histSize);
  findBestSplit(hist, G, H, C, layout, b.search.bins, b.search.params, order, split, featFrom, featTo);
  const r = record * SPLIT_WIDTH;
  const out = b.splits;
  out[r + SPLIT.gain] = split.gain;
  out[r + SPLIT.feature] = split.feature;
  out[r + SPLIT.categorical] = split.categorical ? 1 : 0;
  out[r + SPLIT.threshold] = split.threshold;
  out[r + SPLIT.defaultLeft] = split.defaultLeft ? 1 : 0;
  out[r + SPLIT.leftG] = split.leftG;
  out[r + SPLIT.leftH] = split.leftH;
  if (split.feature >= 0 && split.categorical) b.splitMasks.set(split.catMask, record * 256);
}

/** Keeps `from` in `into` when it gains more (threads' records are read in feature order). */
export function takeBetter(b: OrderedRows, record: number, into: Split): void {
  const r = record * SPLIT_WIDTH;
  const s = b.splits;
  if (!(s[r + SPLIT.gain] > into.gain)) return;
  into.gain = s[r + SPLIT.gain];
  into.feature = s[r + SPLIT.feature];
  into.categorical = s[r + SPLIT.categorical] === 1;
  into.threshold = s[r + SPLIT.threshold];
  into.defaultLeft = s[r + SPLIT.defaultLeft] === 1;
  into.leftG = s[r + SPLIT.leftG];
  into.leftH = s[r + SPLIT.leftH];
  if (into.categorical) into.catMask.set(b.splitMasks.subarray(record * 256, (record + 1) * 256));
}
