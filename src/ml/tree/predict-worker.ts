import type { Kernel, ParallelPool } from '../../core/parallel.js';
import type { FeatureMatrix } from '../matrix.js';
import { CompiledEnsemble } from './compiled-ensemble.js';
import type { FlatEnsemble } from './flatten-ensemble.js';

/** The kernel module pool workers load for batch prediction (see core/parallel.ts). */
export const PREDICT_WORKER_MODULE = import.meta.url;

export interface PredictContext {
  readonly trees: FlatEnsemble;
  /** Identifies `trees` within this process, so a worker compiles each ensemble once. */
  readonly treesId: number;
  /** Column-major features, `rows` rows. */
  readonly data: Float64Array;
  readonly rows: number;
  /** Margins, row-major. */
  readonly out: Float64Array;
}

let lastTreesId = 0;

/** A new number for an ensemble shared with workers (PredictContext.treesId). */
export function newTreesId(): number {
  return ++lastTreesId;
}

/** Ensembles this worker compiled (their WebAssembly walk included), most recently used last. */
const compiledById = new Map<number, CompiledEnsemble>();
const KEPT_ENSEMBLES = 8;

/** Kernel 0: margins of rows args[0]..args[1]. */
export function init(context: PredictContext): Kernel[] {
  const compiled = compiledById.get(context.treesId) ?? new CompiledEnsemble(context.trees);
  compiledById.delete(context.treesId);
  compiledById.set(context.treesId, compiled);
  if (compiledById.size > KEPT_ENSEMBLES) compiledById.delete(compiledById.keys().next().value!);
  return [(args) => compiled.predictRange(context.data, context.rows, args[0] | 0, args[1] | 0, context.out)];
}

/**
 * Starts the margins of X (row-major, `outputs` per row) on the pool's workers alone, so that this
 * thread is free for other work (I/O) until it calls `wait`. The pool needs a worker (threads ≥ 2);
 * its session stays open until `wait`. `buffers` are reused when large enough.
 */
export function startMargins(
  pool: ParallelPool,
  trees: FlatEnsemble,
  treesId: number,
  X: FeatureMatrix,
  buffers: { data?: Float64Array; out?: Float64Array } = {},
): { wait: () => Float64Array; buffers: { data: Float64Array; out: Float64Array } } {
  const shared = (array: Float64Array | undefined, length: number) =>
    array !== undefined && array.length >= length
      ? array
      : new Float64Array(new SharedArrayBuffer(8 * Math.max(length, 1)));
  const data = shared(buffers.data, X.data.length);
  const out = shared(buffers.out, X.rows * trees.outputs);
  data.set(X.data);
  const context: PredictContext = { trees, treesId, data, rows: X.rows, out };
  const session = pool.open(PREDICT_WORKER_MODULE, context);
  const workers = session.workers;
  const bound = (part: number) => Math.floor((X.rows * part) / workers);
  for (let w = 0; w < workers; w++) session.args(w).set([bound(w), bound(w + 1)]);
  session.start(0, workers);
  return {
    wait: () => {
      try {
        session.wait();
      } finally {
        session.close();
      }
      return out.slice(0, X.rows * trees.outputs);
    },
    buffers: { data, out },
  };
}
