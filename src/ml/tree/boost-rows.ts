import type { Objective, ObjectiveSpec } from './objectives.js';
import type { LeavesKernel } from './leaves-kernel.js';
import type { OrderedRows } from './ordered-rows.js';

/**
 * Boosting state shared with pool workers: margins, labels and weights in row order, plus a table
 * of the last tree's leaves so that adding the tree to the margins can be split between threads.
 * Gradients and margin updates are per row, so any split of the rows gives the same bits.
 */
export interface BoostRows {
  /** Margins, row-major (n × outputs). Margins and the leaf tables sit in the rows' WebAssembly memory. */
  readonly margins: Float64Array;
  readonly y: Float64Array;
  readonly w: Float64Array | null;
  readonly outputs: number;
  readonly objective: ObjectiveSpec;
  /** Leaf entries, LEAF_WIDTH numbers each (see LEAF). */
  readonly leaves: Float64Array;
  /** Categorical masks of routed entries: 256 flags by local bin at entry × 256. */
  readonly leafMasks: Uint8Array;
  /** Order in which threads take leaf entries. */
  readonly leafOrder: Int32Array;
}

/**
 * A leaf entry covers positions start..end of the ordered rows. A plain leaf adds `left` to them.
 * A routed entry (feature ≥ 0) is a split whose rows were not partitioned: each row adds `left` or
 * `right` as its bin goes (numeric: global bin ≤ threshold; categorical: mask; missing: defaultLeft).
 */
export const LEAF = {
  start: 0,
  end: 1,
  left: 2,
  right: 3,
  feature: 4,
  threshold: 5,
  defaultLeft: 6,
  categorical: 7,
  /** The feature's missing (first global) bin. */
  missing: 8,
} as const;
export const LEAF_WIDTH = 9;

/** Kernel arguments of row work (kinds after ordered-rows' task kinds). */
export const ROW_ARGS = { kind: 0, from: 1, to: 2, thread: 3, output: 4, parameter: 5 } as const;
export const KIND_GRADIENTS = 2;
export const KIND_LEAVES = 3;

/**
 * Puts positions from..to back in row order (`reset`, the thread's kernel) for the next tree and
 * fills their gradient pairs of output `output` (ROW_ARGS).
 */
export function gradientsTask(
  rows: OrderedRows,
  state: BoostRows,
  objective: Objective,
  reset: (from: number, to: number) => void,
  args: Float64Array,
): void {
  const from = args[ROW_ARGS.from] | 0;
  const to = args[ROW_ARGS.to] | 0;
  reset(from, to);
  objective.gradients(
    state.margins,
    state.y,
    state.w,
    args[ROW_ARGS.output] | 0,
    rows.gh,
    from,
    to,
    args[ROW_ARGS.parameter],
  );
}

/** Adds leaf entries leafOrder[from..to) to the margins of output `output` (ROW_ARGS), by the thread's kernel. */
export function leavesTask(leaves: LeavesKernel, args: Float64Array): void {
  leaves(args[ROW_ARGS.from] | 0, args[ROW_ARGS.to] | 0, args[ROW_ARGS.output] | 0);
}
