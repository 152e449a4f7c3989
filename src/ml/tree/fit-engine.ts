import type { ParallelPool, ParallelSession } from '../../core/parallel.js';
import type { BinMapper } from './binning.js';
import type { BinnedSet } from './boost.js';
import type { GbdtParams } from './gbdt-params.js';
import { buildBinIndex } from './histogram.js';
import type { GrowParams, TaskRunner } from './ordered-grow.js';
import {
  BUILD,
  BUILD_WIDTH,
  KIND_PARTITION,
  PARTITION,
  PARTITION_WIDTH,
  runTasks,
  TASK_ARGS,
  type OrderedRows,
} from './ordered-rows.js';
import { ORDERED_WORKER_MODULE } from './ordered-worker.js';
import { orderedGrower, type TreeGrower } from './tree-grower.js';

export const PHASES: number[] = [];
/** Depth-wise growth batches a whole level when its histograms fit in this many bytes. */
const LEVEL_HISTOGRAM_BUDGET = 512 * 2 ** 20;
/** A batch of tasks is shared among threads when it touches at least this many cells (rows, or rows × features). */
const PARALLEL_CELLS = 150_000;

/** A grower for one training set; close() releases the workers' hold on its buffers. */
export interface Growing {
  readonly grower: TreeGrower;
  close(): void;
}

/**
 * Sets up tree growth on `set`: the rows in node order, task tables sized for the growth mode, and
 * — with a pool of more than one thread — all of it on shared memory with a session open on the
 * workers.
 */
export function createGrowing(
  set: BinnedSet,
  mapper: BinMapper,
  params: GbdtParams,
  pool: ParallelPool | undefined,
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
  const threads =
    pool === undefined ? 1 : Math.min(pool.threads, params.threads > 0 ? params.threads : pool.threads);
  const shared = threads > 1;
  const memory = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const wide = mapper.offsets[F] > 65536;
  const stride = wide ? F : F + (F & 1);
  const index = (length: number) =>
    wide ? new Uint32Array(memory(4 * length)) : new Uint16Array(memory(2 * length));
  const pristine = buildBinIndex(set.bins, n, mapper.offsets, stride, index(n * stride));
  const bins = index(n * stride);
  const gh = new Float64Array(memory(16 * n));
  const buildTasks = (maxTasks + 1) * threads;
  const rows: OrderedRows = {
    n,
    F,
    stride,
    pristine,
    bins,
    binWords: new Int32Array(bins.buffer, 0, (n * stride * bins.BYTES_PER_ELEMENT) / 4),
    gh,
    ghWords: new Int32Array(gh.buffer, 0, 4 * n),
    ids: new Uint32Array(memory(4 * n)),
    hist: new Float64Array(memory(8 * histSize * slots)),
    spare: new Float64Array(memory(8 * histSize * threads)),
    histSize,
    offsets: Int32Array.from(mapper.offsets),
    features: new Int32Array(memory(4 * F)),
    featureCount: new Int32Array(memory(4)),
    partitions: new Float64Array(memory(8 * PARTITION_WIDTH * maxTasks)),
    catMasks: new Uint8Array(memory(256 * maxTasks)),
    builds: new Float64Array(memory(8 * BUILD_WIDTH * buildTasks)),
    order: new Int32Array(memory(4 * Math.max(maxTasks, buildTasks))),
  };
  const session = shared ? pool!.open(ORDERED_WORKER_MODULE, rows) : null;
  const runner = taskRunner(rows, session, threads);
  return { grower: orderedGrower(rows, runner, mapper, grow, levelwise), close: () => session?.close() };
}

/**
 * Deals a batch of tasks to threads, largest first to the least loaded (the calling thread is
 * thread 0); which thread runs a task does not change its result.
 */
function taskRunner(b: OrderedRows, session: ParallelSession | null, threads: number): TaskRunner {
  const own = new Float64Array(4);
  const sizes: number[] = [];
  const lists: number[][] = Array.from({ length: threads }, () => []);
  const load = new Float64Array(threads);
  return {
    threads,
    run(kind, count) {
      if (count === 0) return;
      const t0 = performance.now();
      try {
        runInner(kind, count);
      } finally {
        PHASES[kind] = (PHASES[kind] ?? 0) + performance.now() - t0;
      }
    },
  };
  function runInner(kind: number, count: number) {
    sizes.length = 0;
    let total = 0;
    for (let t = 0; t < count; t++) {
      const size = kind === KIND_PARTITION ? partitionSize(b, t) : buildSize(b, t);
      sizes.push(size);
      total += size;
    }
    const parts = session !== null && count > 1 && total >= PARALLEL_CELLS ? threads : 1;
    if (parts === 1) {
      for (let t = 0; t < count; t++) b.order[t] = t;
      own[TASK_ARGS.kind] = kind;
      own[TASK_ARGS.from] = 0;
      own[TASK_ARGS.to] = count;
      runTasks(b, own);
      return;
    }
    for (const list of lists) list.length = 0;
    load.fill(0);
    const bySize = Array.from({ length: count }, (_, t) => t).sort((x, y) => sizes[y] - sizes[x] || x - y);
    for (const t of bySize) {
      let target = 0;
      for (let p = 1; p < parts; p++) if (load[p] < load[target]) target = p;
      lists[target].push(t);
      load[target] += sizes[t];
    }
    let at = 0;
    const ranges: [number, number][] = [];
    for (const list of lists) {
      ranges.push([at, at + list.length]);
      for (const t of list) b.order[at++] = t;
    }
    for (let p = 1; p < parts; p++) {
      const args = session!.args(p - 1);
      args[TASK_ARGS.kind] = kind;
      args[TASK_ARGS.from] = ranges[p][0];
      args[TASK_ARGS.to] = ranges[p][1];
      args[TASK_ARGS.thread] = p;
    }
    session!.start(0, parts - 1);
    own[TASK_ARGS.kind] = kind;
    own[TASK_ARGS.from] = ranges[0][0];
    own[TASK_ARGS.to] = ranges[0][1];
    try {
      runTasks(b, own);
    } finally {
      session!.wait();
    }
  }
}

function partitionSize(b: OrderedRows, t: number): number {
  const p = t * PARTITION_WIDTH;
  return b.partitions[p + PARTITION.end] - b.partitions[p + PARTITION.start];
}

function buildSize(b: OrderedRows, t: number): number {
  const q = t * BUILD_WIDTH;
  const rows = b.builds[q + BUILD.end] - b.builds[q + BUILD.start];
  return rows * (b.builds[q + BUILD.featTo] - b.builds[q + BUILD.featFrom]);
}
