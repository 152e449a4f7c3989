import type { Kernel } from '../../core/parallel.js';
import { runTasks, type OrderedRows } from './ordered-rows.js';

/** The kernel module pool workers load for tree growth (see core/parallel.ts). */
export const ORDERED_WORKER_MODULE = import.meta.url;

/** Kernel 0: runTasks over the shared rows and task tables. */
export function init(rows: OrderedRows): Kernel[] {
  return [(args) => runTasks(rows, args)];
}
