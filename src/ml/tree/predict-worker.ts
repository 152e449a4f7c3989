import type { Kernel } from '../../core/parallel.js';
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
