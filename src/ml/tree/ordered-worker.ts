import type { Kernel } from '../../core/parallel.js';
import { gradientsTask, KIND_GRADIENTS, leavesTask, ROW_ARGS, type BoostRows } from './boost-rows.js';
import { leavesKernel } from './leaves-kernel.js';
import { createObjective } from './objectives.js';
import { rowKernels, runTasks, type OrderedRows } from './ordered-rows.js';

/** The kernel module pool workers load for boosting (see core/parallel.ts). */
export const ORDERED_WORKER_MODULE = import.meta.url;

export interface WorkerContext {
  readonly rows: OrderedRows;
  readonly boost: BoostRows;
  /** The shared memory the rows' bins, gradient pairs and histograms sit in (build-kernels.ts). */
  readonly memory: WebAssembly.Memory;
}

/**
 * Kernel 0: the ordered-rows tasks (partitions, histogram builds); kernel 1: row work (gradients,
 * adding a tree to the margins), with the worker's own objective instance.
 */
export function init(context: WorkerContext): Kernel[] {
  const objective = createObjective(context.boost.objective);
  const kernels = rowKernels(context.rows, context.memory);
  const leaves = leavesKernel(context.rows, context.boost, context.memory);
  return [
    (args) => runTasks(context.rows, kernels, args),
    (args) => {
      if (args[ROW_ARGS.kind] === KIND_GRADIENTS)
        gradientsTask(context.rows, context.boost, objective, kernels.reset, args);
      else leavesTask(leaves, args);
    },
  ];
}
