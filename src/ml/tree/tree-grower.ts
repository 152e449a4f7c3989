import type { BinMapper } from './binning.js';
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

/** Grows the trees of one boosting run on one training set, and applies them to its margins. */
export interface TreeGrower {
  /** Gradient pairs of the next tree in row order, to be filled by the objective (gh[2r], gh[2r + 1]). */
  readonly gh: Float64Array;
  /** Grows a tree on the rows with inSample[r] = 1 (all rows when null). */
  grow(inSample: Uint8Array | null, layout: FeatureLayout): GrownTree;
  /** Adds the last grown tree's leaf values to the margins of every training row (sampled or not). */
  addToMargins(tree: GrownTree, margins: Float64Array, K: number, k: number): void;
  /** The in-sample rows of each leaf of the last grown tree. */
  leafRows(tree: GrownTree): LeafRows;
}

/** A grower on rows kept in node order (ordered-rows.ts). */
export function orderedGrower(
  b: OrderedRows,
  runner: TaskRunner,
  mapper: BinMapper,
  params: GrowParams,
  levelwise: boolean,
): TreeGrower {
  const { n, gh, ids } = b;
  return {
    gh,
    grow(inSample, layout) {
      b.bins.set(b.pristine);
      for (let r = 0; r < n; r++) ids[r] = r;
      if (inSample !== null) {
        for (let r = 0; r < n; r++) {
          if (inSample[r] === 0) gh[2 * r] = gh[2 * r + 1] = 0;
        }
      }
      let G = 0;
      let H = 0;
      let C = 0;
      for (let r = 0; r < n; r++) {
        G += gh[2 * r];
        H += gh[2 * r + 1];
        if (gh[2 * r + 1] > 0) C++;
      }
      b.features.set(layout.features);
      b.featureCount[0] = layout.features.length;
      return growOrdered(b, runner, mapper, params, layout, G, H, C, levelwise);
    },
    addToMargins(tree, margins, K, k) {
      for (let node = 0; node < tree.size; node++) {
        if (tree.left[node] >= 0) continue;
        const value = tree.value[node];
        const end = tree.end[node];
        for (let i = tree.start[node]; i < end; i++) margins[ids[i] * K + k] += value;
      }
    },
    leafRows(tree) {
      const rows = new Uint32Array(n);
      const start = new Int32Array(tree.size);
      const end = new Int32Array(tree.size);
      let at = 0;
      for (let node = 0; node < tree.size; node++) {
        start[node] = at;
        if (tree.left[node] < 0) {
          for (let i = tree.start[node]; i < tree.end[node]; i++) if (gh[2 * i + 1] > 0) rows[at++] = ids[i]!;
        }
        end[node] = at;
      }
      return { rows, start, end };
    },
  };
}
