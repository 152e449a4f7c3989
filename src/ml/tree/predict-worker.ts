import type { Kernel } from '../../core/parallel.js';
import { CompiledEnsemble } from './compiled-ensemble.js';
import type { FlatEnsemble } from './flatten-ensemble.js';

/** The kernel module pool workers load for batch prediction (see core/parallel.ts). */
export const PREDICT_WORKER_MODULE = import.meta.url;

export interface PredictContext {
  readonly trees: FlatEnsemble;
  /** Column-major features, `rows` rows. */
  readonly data: Float64Array;
  readonly rows: number;
  /** Margins, row-major. */
  readonly out: Float64Array;
}

/** Kernel 0: margins of rows args[0]..args[1]. */
export function init(context: PredictContext): Kernel[] {
  const compiled = new CompiledEnsemble(context.trees);
  return [(args) => compiled.predictRange(context.data, context.rows, args[0] | 0, args[1] | 0, context.out)];
}
