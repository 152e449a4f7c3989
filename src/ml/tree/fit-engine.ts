import type { ParallelPool, ParallelSession } from '../../core/parallel.js';
import type { BinMapper } from './binning.js';
import type { BinnedSet } from './boost.js';
import {
  gradientsTask,
  KIND_GRADIENTS,
  KIND_LEAVES,
  LEAF,
  LEAF_WIDTH,
  leavesTask,
  ROW_ARGS,
  type BoostRows,
} from './boost-rows.js';
import type { GbdtParams } from './gbdt-params.js';
import { Arena } from '../wasm/arena.js';
import { buildBinIndex } from './histogram.js';
import { leavesKernel, type LeavesKernel } from './leaves-kernel.js';
import type { Objective, ObjectiveSpec } from './objectives.js';
import type { GrowParams, TaskRunner } from './ordered-grow.js';
import {
  KIND_NODES,
  NODE,
  NODE_WIDTH,
  PARTITION,
  PARTITION_WIDTH,
  rowKernels,
  runTasks,
  type RowKernels,
  SPLIT_WIDTH,
  TASK_ARGS,
  type OrderedRows,
} from './ordered-rows.js';
import { ORDERED_WORKER_MODULE, type WorkerContext } from './ordered-worker.js';
import { orderedGrower, type RowRunner, type TreeGrower } from './tree-grower.js';

/** Depth-wise growth batches a whole level when its histograms fit in this many bytes. */
const LEVEL_HISTOGRAM_BUDGET = 512 * 2 ** 20;
/**
 * A batch of tasks is shared among threads from this much work: rows × features (and bins searched)
 * for node tasks, rows for partitions (a row moves all its features) and for row work (gradients,
 * margins). Handing a batch to a worker costs ~5–20 µs (pool.ts); node tasks of 40,000 cells take
 * ~100 µs; sharing from 150,000 left most of adult's levels on one thread.
 */
const PARALLEL_CELLS = 40_000;
const PARALLEL_ROWS = 10_000;
/** Node tasks per batch: bounds the tables of the threads' splits (a deep level takes several batches). */
const NODE_BATCH = 256;

/** A grower for one training set; close() releases the workers' hold on its buffers. */
export interface Growing {
  readonly grower: TreeGrower;
  close(): void;
}

/**
 * Sets up tree growth on `set`: the rows in node order, margins, task tables sized for the growth
 * mode, and — with a pool of more than one thread — all of it on shared memory with a session open
 * on the workers. `objective` is the calling thread's instance of `spec`.
 */
export function createGrowing(
  set: BinnedSet,
  mapper: BinMapper,
  params: GbdtParams,
  pool: ParallelPool | undefined,
  objective: Objective,
  spec: ObjectiveSpec,
): Growing {
  const F = mapper.features;
  const n = set.n;
  const histSize = 2 * mapper.offsets[F];
  const depth = params.maxLeaves > 0 && params.maxDepth <= 0 ? 0 : params.maxDepth;
  const grow: GrowParams = { ...params, maxDepth: depth };
  const levelSlots = params.maxLeaves === 0 && depth <= 20 ? 2 ** Math.max(depth - 1, 0) + 1 : Infinity;
  const levelwise = levelSlots * histSize * 8 <= LEVEL_HISTOGRAM_BUDGET;
  const slots = levelwise ? levelSlots : params.maxLeaves > 0 ? params.maxLeaves + 2 : depth + 3;
  const maxTasks = levelwise ? 2 ** Math.max(depth - 1, 0) : 1;
  const maxLeaves = levelwise || params.maxLeaves === 0 ? 2 ** depth : params.maxLeaves;
  // A set whose root batch is below every sharing threshold never shares work: no session to open.
  const tiny = n < PARALLEL_ROWS && n * F + mapper.offsets[F] < PARALLEL_CELLS;
  const threads =
    pool === undefined || tiny
      ? 1
      : Math.min(pool.threads, params.threads > 0 ? params.threads : pool.threads);
  const shared = threads > 1;
  const memory = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const wide = mapper.offsets[F] > 65536;
  const stride = wide ? F : F + (F & 1);
  // What the kernels read and write sits in one WebAssembly memory (build-kernels.ts, partition-kernel.ts).
  const binBytes = wide ? 4 : 2;
  const arena = new Arena(
    [
      binBytes * n * stride,
      binBytes * n * stride,
      16 * n,
      8 * 3,
      8 * histSize * slots,
      8 * histSize * threads,
      4 * F,
      4 * n,
      8 * PARTITION_WIDTH * maxTasks,
      256 * maxTasks,
      8 * n * objective.outputs,
      8 * LEAF_WIDTH * maxLeaves,
      256 * maxLeaves,
      4 * maxLeaves,
    ],
    shared,
  );
  const index = () => (wide ? arena.take(Uint32Array, n * stride) : arena.take(Uint16Array, n * stride));
  const pristine = buildBinIndex(set.bins, n, mapper.offsets, stride, index());
  const bins = index();
  const gh = arena.take(Float64Array, 2 * n);
  const totals = arena.take(Float64Array, 3);
  const hist = arena.take(Float64Array, histSize * slots);
  const spare = arena.take(Float64Array, histSize * threads);
  const features = arena.take(Int32Array, F);
  const ids = arena.take(Uint32Array, n);
  const partitions = arena.take(Float64Array, PARTITION_WIDTH * maxTasks);
  const catMasks = arena.take(Uint8Array, 256 * maxTasks);
  const nodeTasks = Math.min(maxTasks, NODE_BATCH);
  const rows: OrderedRows = {
    n,
    F,
    stride,
    pristine,
    bins,
    gh,
    totals,
    ids,
    hist,
    spare,
    histSize,
    offsets: Int32Array.from(mapper.offsets),
    features,
    featureCount: new Int32Array(memory(4)),
    partitions,
    catMasks,
    nodes: new Float64Array(memory(8 * NODE_WIDTH * nodeTasks)),
    splits: new Float64Array(memory(8 * SPLIT_WIDTH * 2 * nodeTasks * threads)),
    splitMasks: new Uint8Array(memory(256 * 2 * nodeTasks * threads)),
    nodeTasks,
    search: {
      bins: { nBins: mapper.nBins, categorical: mapper.categorical, otherBin: mapper.otherBin },
      params: {
        lambda: params.lambda,
        alpha: params.alpha,
        minChildWeight: params.minChildWeight,
        minSamplesLeaf: params.minSamplesLeaf,
        maxCatToOnehot: params.maxCatToOnehot,
        maxCatThreshold: params.maxCatThreshold,
        catSmooth: params.catSmooth,
        catL2: params.catL2,
        minDataPerGroup: params.minDataPerGroup,
      },
    },
    order: new Int32Array(memory(4 * maxTasks)),
  };
  const copy = (values: Float64Array) => {
    const out = new Float64Array(memory(8 * values.length));
    out.set(values);
    return out;
  };
  const state: BoostRows = {
    margins: arena.take(Float64Array, n * objective.outputs),
    y: copy(set.y),
    w: set.w === null ? null : copy(set.w),
    outputs: objective.outputs,
    objective: spec,
    leaves: arena.take(Float64Array, LEAF_WIDTH * maxLeaves),
    leafMasks: arena.take(Uint8Array, 256 * maxLeaves),
    leafOrder: arena.take(Int32Array, maxLeaves),
  };
  const context: WorkerContext = { rows, boost: state, memory: arena.memory };
  const session = shared ? pool!.open(ORDERED_WORKER_MODULE, context) : null;
  const kernels = rowKernels(rows, arena.memory);
  const tasks = taskRunner(rows, kernels, session, threads, mapper.nBins);
  const rowWork = rowRunner(
    rows,
    state,
    objective,
    kernels,
    leavesKernel(rows, state, arena.memory),
    session,
    threads,
  );
  return {
    grower: orderedGrower(
      rows,
      state,
      tasks,
      rowWork,
      mapper,
      grow,
      levelwise,
      objective.refitLeaf !== undefined,
    ),
    close: () => session?.close(),
  };
}

/** Splits `sizes` (tasks 0..count−1) among `parts` threads, largest first to the least loaded. */
function deal(sizes: number[], count: number, parts: number, order: Int32Array): [number, number][] {
  const lists: number[][] = Array.from({ length: parts }, () => []);
  const load = new Float64Array(parts);
  const bySize = Array.from({ length: count }, (_, t) => t).sort((x, y) => sizes[y] - sizes[x] || x - y);
  for (const t of bySize) {
    let target = 0;
    for (let p = 1; p < parts; p++) if (load[p] < load[target]) target = p;
    lists[target].push(t);
    load[target] += sizes[t];
  }
  let at = 0;
  return lists.map((list) => {
    const from = at;
    for (const t of list) order[at++] = t;
    return [from, at];
  });
}

/**
 * Runs kernel `kernel` with per-part arguments, the calling thread taking part 0 and then, when
 * `claimable`, any part whose worker has not begun it yet (a worker that other processes keep off
 * the cores would otherwise make the batch slower than one thread); a part's result must then not
 * depend on the thread that runs it.
 */
function runParts(
  session: ParallelSession,
  parts: number,
  kernel: number,
  fill: (args: Float64Array, part: number) => void,
  own: Float64Array,
  runOwn: () => void,
  claimable = true,
): void {
  for (let p = 1; p < parts; p++) fill(session.args(p - 1), p);
  session.start(kernel, parts - 1);
  try {
    fill(own, 0);
    runOwn();
    for (let p = 1; claimable && p < parts; p++) {
      if (!session.claim(p - 1)) continue;
      fill(own, p);
      runOwn();
    }
  } finally {
    session.wait();
  }
}

/**
 * Deals a batch of partition tasks to threads, largest first to the least loaded, or shares a
 * batch of node tasks by ranges of features of about equal work (the calling thread is thread 0
 * and takes the first range); which thread runs a piece of work does not change its result.
 */
function taskRunner(
  b: OrderedRows,
  kernels: RowKernels,
  session: ParallelSession | null,
  threads: number,
  nBins: Int32Array,
): TaskRunner {
  const own = new Float64Array(5);
  const sizes: number[] = [];
  const runAlone = (kind: number, from: number, to: number, count: number) => {
    own.set([kind, from, to, 0, count]);
    runTasks(b, kernels, own);
    return 1;
  };
  const runShared = (kind: number, ranges: [number, number][], count: number) => {
    const fill = (args: Float64Array, part: number) => {
      args[TASK_ARGS.kind] = kind;
      args[TASK_ARGS.from] = ranges[part][0];
      args[TASK_ARGS.to] = ranges[part][1];
      args[TASK_ARGS.thread] = part;
      args[TASK_ARGS.count] = count;
    };
    runParts(session!, threads, 0, fill, own, () => runTasks(b, kernels, own));
    return threads;
  };
  return {
    threads,
    totals: () => kernels.build.totals(),
    run(kind, count) {
      if (count === 0) return 0;
      if (kind === KIND_NODES) {
        const features = b.featureCount[0];
        const costs = nodeCosts(b, count, features, nBins);
        const total = costs.reduce((sum, cost) => sum + cost, 0);
        if (session === null || features < threads || total < PARALLEL_CELLS)
          return runAlone(kind, 0, features, count);
        return runShared(kind, featureRanges(costs, total, threads), count);
      }
      sizes.length = 0;
      let total = 0;
      for (let t = 0; t < count; t++) {
        const size = partitionSize(b, t);
        sizes.push(size);
        total += size;
      }
      if (session === null || count === 1 || total < PARALLEL_ROWS) {
        for (let t = 0; t < count; t++) b.order[t] = t;
        return runAlone(kind, 0, count, count);
      }
      return runShared(kind, deal(sizes, count, threads, b.order), count);
    },
  };
}

/**
 * Work per used feature of a batch of node tasks, in rows × features: every built row, and each
 * subtraction and search over the feature's bins.
 */
function nodeCosts(b: OrderedRows, count: number, features: number, nBins: Int32Array): number[] {
  let rows = 0;
  let passes = 0;
  for (let t = 0; t < count; t++) {
    const q = t * NODE_WIDTH;
    rows += b.nodes[q + NODE.end] - b.nodes[q + NODE.start];
    passes += b.nodes[q + NODE.search] + 2 * b.nodes[q + NODE.siblingSearch];
  }
  return Array.from({ length: features }, (_, j) => rows + passes * nBins[b.features[j]]);
}

/** Consecutive ranges of feature positions, one per thread, of about equal total cost. */
function featureRanges(costs: number[], total: number, threads: number): [number, number][] {
  const ranges: [number, number][] = [];
  let from = 0;
  let sum = 0;
  for (let part = 0; part < threads; part++) {
    const goal = (total * (part + 1)) / threads;
    let to = from;
    // At least one feature each, and one left for each later thread.
    while (
      to < costs.length - (threads - part - 1) &&
      (to === from || part === threads - 1 || sum + costs[to] / 2 < goal)
    )
      sum += costs[to++];
    ranges.push([from, to]);
    from = to;
  }
  return ranges;
}

/** Gradients by equal row ranges (a thread always gets the same range), leaves dealt by size. */
function rowRunner(
  b: OrderedRows,
  state: BoostRows,
  objective: Objective,
  kernels: RowKernels,
  addLeaves: LeavesKernel,
  session: ParallelSession | null,
  threads: number,
): RowRunner {
  const own = new Float64Array(6);
  const parallel = session !== null && b.n >= PARALLEL_ROWS;
  const sizes: number[] = [];
  return {
    gradients(k, parameter) {
      const fill = (args: Float64Array, part: number) => {
        args[ROW_ARGS.from] = Math.floor((b.n * part) / threads);
        args[ROW_ARGS.to] = Math.floor((b.n * (part + 1)) / threads);
        args[ROW_ARGS.output] = k;
        args[ROW_ARGS.parameter] = parameter;
        args[ROW_ARGS.kind] = KIND_GRADIENTS;
      };
      if (!parallel) {
        own.set([KIND_GRADIENTS, 0, b.n, 0, k, parameter]);
        gradientsTask(b, state, objective, kernels.reset, own);
        return;
      }
      // A multiclass objective keeps each thread's probabilities of its own rows between outputs.
      runParts(
        session,
        threads,
        1,
        fill,
        own,
        () => gradientsTask(b, state, objective, kernels.reset, own),
        objective.outputs === 1,
      );
    },
    leaves(count, k) {
      if (!parallel || count === 1) {
        for (let e = 0; e < count; e++) state.leafOrder[e] = e;
        own.set([KIND_LEAVES, 0, count, 0, k, 0]);
        leavesTask(addLeaves, own);
        return;
      }
      sizes.length = 0;
      for (let e = 0; e < count; e++)
        sizes.push(state.leaves[e * LEAF_WIDTH + LEAF.end] - state.leaves[e * LEAF_WIDTH + LEAF.start]);
      const ranges = deal(sizes, count, threads, state.leafOrder);
      const fill = (args: Float64Array, part: number) => {
        args[ROW_ARGS.kind] = KIND_LEAVES;
        args[ROW_ARGS.from] = ranges[part][0];
        args[ROW_ARGS.to] = ranges[part][1];
        args[ROW_ARGS.output] = k;
      };
      runParts(session, threads, 1, fill, own, () => leavesTask(addLeaves, own));
    },
  };
}

function partitionSize(b: OrderedRows, t: number): number {
  const p = t * PARTITION_WIDTH;
  return b.partitions[p + PARTITION.end] - b.partitions[p + PARTITION.start];
}
