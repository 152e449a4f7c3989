import type { BinMapper } from './binning.js';
import { LEAF, LEAF_WIDTH, type BoostRows } from './boost-rows.js';
import type { GrownTree } from './grown-tree.js';
import type { FeatureLayout } from './histogram.js';
import { growOrdered, type GrowParams, type TaskRunner } from './ordered-grow.js';
import type { OrderedRows } from './ordered-rows.js';

/** Rows of each leaf: rows[start[node]..end[node]) (in-sample rows only). */
export interface LeafRows {
  readonly rows: Uint32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
}

/** Row work on one thread or several (fit-engine.ts). */
export interface RowRunner {
  /** Puts the rows back in row order and fills their gradient pairs of output k (ordered rows' gh). */
  gradients(k: number, parameter: number): void;
  /** Adds leaf entries 0..count−1 of the boost state's table to output k's margins. */
  leaves(count: number, k: number): void;
}

/** Grows the trees of one boosting run on one training set and keeps its margins. */
export interface TreeGrower {
  /** Training margins, row-major (rows × outputs); the caller sets the starting values. */
  readonly margins: Float64Array;
  /** Computes the gradient pairs of output k for the next tree (the objective's round parameter given). */
  gradients(k: number, parameter: number): void;
  /** Grows a tree on the rows with inSample[r] = 1 (all rows when null); `gradients` readies the rows for it. */
  grow(inSample: Uint8Array | null, layout: FeatureLayout): GrownTree;
  /** Adds the last grown tree's leaf values to output k's margins of every training row (sampled or not). */
  addToMargins(tree: GrownTree, k: number): void;
  /** The in-sample rows of each leaf of the last grown tree. */
  leafRows(tree: GrownTree): LeafRows;
}

/** A grower on rows kept in node order (ordered-rows.ts). */
export function orderedGrower(
  b: OrderedRows,
  state: BoostRows,
  tasks: TaskRunner,
  rowWork: RowRunner,
  mapper: BinMapper,
  params: GrowParams,
  levelwise: boolean,
  refitsLeaves: boolean,
): TreeGrower {
  const { n, gh, ids } = b;
  return {
    margins: state.margins,
    gradients: (k, parameter) => rowWork.gradients(k, parameter),
    grow(inSample, layout) {
      if (inSample !== null) {
        for (let r = 0; r < n; r++) {
          if (inSample[r] === 0) gh[2 * r] = gh[2 * r + 1] = 0;
        }
      }
      tasks.totals();
      const [G, H, C] = b.totals;
      b.features.set(layout.features);
      b.featureCount[0] = layout.features.length;
      return growOrdered(b, tasks, mapper, params, G, H, C, levelwise, refitsLeaves);
    },
    addToMargins(tree, k) {
      const table = state.leaves;
      let count = 0;
      const add = (node: number, feature: number, left: number, right: number) => {
        const t = count * LEAF_WIDTH;
        table[t + LEAF.start] = tree.start[node];
        table[t + LEAF.end] = tree.end[node];
        table[t + LEAF.left] = left;
        table[t + LEAF.right] = right;
        table[t + LEAF.feature] = feature;
        if (feature >= 0) {
          const mask = tree.catMask[node];
          table[t + LEAF.threshold] = b.offsets[feature] + tree.binThreshold[node];
          table[t + LEAF.defaultLeft] = tree.defaultLeft[node];
          table[t + LEAF.categorical] = mask === null ? 0 : 1;
          table[t + LEAF.missing] = b.offsets[feature];
          if (mask !== null) state.leafMasks.set(mask, count * 256);
        }
        count++;
      };
      for (let node = 0; node < tree.size; node++) {
        if (tree.left[node] < 0 && tree.end[node] > tree.start[node]) add(node, -1, tree.value[node], 0);
      }
      for (const node of tree.unpartitioned) {
        add(node, tree.feature[node], tree.value[tree.left[node]], tree.value[tree.right[node]]);
      }
      rowWork.leaves(count, k);
    },
    leafRows(tree) {
      const rows = new Uint32Array(n);
      const start = new Int32Array(tree.size);
      const end = new Int32Array(tree.size);
      let at = 0;
      for (let node = 0; node < tree.size; node++) {
        start[node] = at;
        if (tree.left[node] < 0) {
          for (let i = tree.start[node]; i < tree.end[node]; i++) if (gh[2 * i + 1] > 0) rows[at++] = ids[i];
        }
        end[node] = at;
      }
      return { rows, start, end };
    },
  };
}
