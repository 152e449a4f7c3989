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
  /** Kernel 1's shared count of the TAKEN_ROWS pieces handed out so far. */
  readonly taken?: Int32Array;
}

/** Rows a thread takes at a time when threads share a batch as they come free (kernel 1). */
const TAKEN_ROWS = 4_096;

/** Predicts pieces of the batch, as long as there are some nobody took yet. */
function takePieces(compiled: CompiledEnsemble, context: PredictContext, taken: Int32Array): void {
  for (;;) {
    const from = Atomics.add(taken, 0, 1) * TAKEN_ROWS;
    if (from >= context.rows) return;
    const to = Math.min(context.rows, from + TAKEN_ROWS);
    compiled.predictRange(context.data, context.rows, from, to, context.out);
  }
}

let lastTreesId = 0;

/** A new number for an ensemble shared with workers (PredictContext.treesId). */
export function newTreesId(): number {
  return ++lastTreesId;
}

/** Ensembles this worker compiled (their WebAssembly walk included), most recently used last. */
const compiledById = new Map<number, CompiledEnsemble>();
const KEPT_ENSEMBLES = 8;

/** Kernel 0: margins of rows args[0]..args[1]; kernel 1: margins of the pieces it takes (see startMargins). */
export function init(context: PredictContext): Kernel[] {
  const compiled = compiledById.get(context.treesId) ?? new CompiledEnsemble(context.trees);
  compiledById.delete(context.treesId);
  compiledById.set(context.treesId, compiled);
  if (compiledById.size > KEPT_ENSEMBLES) compiledById.delete(compiledById.keys().next().value!);
  return [
    (args) => compiled.predictRange(context.data, context.rows, args[0] | 0, args[1] | 0, context.out),
    () => takePieces(compiled, context, context.taken!),
  ];
}

/**
 * Starts the margins of X (row-major, `outputs` per row) on the pool's workers, so that this
 * thread is free for other work (I/O) until it calls `wait`, where it takes the pieces still left
 * with `compiled` (the same ensemble as `trees`). The pool needs a worker (threads ≥ 2); its
 * session stays open until `wait`. `buffers` are reused when large enough.
 */
export function startMargins(
  pool: ParallelPool,
  compiled: CompiledEnsemble,
  shared: { trees: FlatEnsemble; treesId: number },
  X: FeatureMatrix,
  buffers: { data?: Float64Array; out?: Float64Array } = {},
): { wait: () => Float64Array; buffers: { data: Float64Array; out: Float64Array } } {
  const buffer = (array: Float64Array | undefined, length: number) =>
    array !== undefined && array.length >= length
      ? array
      : new Float64Array(new SharedArrayBuffer(8 * Math.max(length, 1)));
  const data = buffer(buffers.data, X.data.length);
  const out = buffer(buffers.out, X.rows * compiled.outputs);
  data.set(X.data);
  const taken = new Int32Array(new SharedArrayBuffer(4));
  const context: PredictContext = { ...shared, data, rows: X.rows, out, taken };
  const session = pool.open(PREDICT_WORKER_MODULE, context);
  session.start(1, session.workers);
  return {
    wait: () => {
      try {
        takePieces(compiled, context, taken);
      } finally {
        session.wait();
        session.close();
      }
      return out.slice(0, X.rows * compiled.outputs);
    },
    buffers: { data, out },
  };
}
