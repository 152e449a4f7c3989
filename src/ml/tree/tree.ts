/**
 * One decision tree in flat arrays, the format every tree learner (GBDT, random forest, single
 * tree) produces and every consumer (prediction, TreeSHAP, importance, XGBoost import) reads.
 *
 * Node 0 is the root. Node i is a leaf when `left[i] < 0`; its output is `value[i]`.
 * An internal node tests feature `feature[i]`:
 *  - numeric: x < threshold[i] goes left, otherwise right (XGBoost's rule);
 *  - categorical (a non-empty range catOffsets[i]..catOffsets[i+1] of catCodes): x goes left when
 *    its code is in the node's set, otherwise right;
 *  - missing (NaN) — and, for categorical nodes, a code that is not a whole number from 0 up to the
 *    feature's category count (an unseen category) — goes left if defaultLeft[i], else right.
 * `cover` is the training weight reaching a node (sum of hessians for GBDT, of sample weights for
 * forests); TreeSHAP needs it. `gain` is the split's loss reduction, 0 at leaves.
 */
export interface Tree {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly defaultLeft: Uint8Array;
  /** Length nodes + 1: node i's category set is catCodes[catOffsets[i] .. catOffsets[i + 1]). */
  readonly catOffsets: Int32Array;
  readonly catCodes: Int32Array;
  readonly value: Float64Array;
  readonly cover: Float64Array;
  readonly gain: Float64Array;
}

export function nodeCount(tree: Tree): number {
  return tree.left.length;
}

export function isCategoricalNode(tree: Tree, node: number): boolean {
  return tree.catOffsets[node + 1] > tree.catOffsets[node];
}

/**
 * Whether a value goes left at an internal node. The default direction is read on every call, not
 * only for a missing value: optimised code that meets its first missing value at a split would
 * otherwise be thrown away (no type feedback for that read) and run unoptimised for a while.
 */
export function goesLeft(tree: Tree, node: number, x: number): boolean {
  const defaultLeft = tree.defaultLeft[node] === 1;
  if (Number.isNaN(x)) return defaultLeft;
  const start = tree.catOffsets[node];
  const end = tree.catOffsets[node + 1];
  if (start === end) return x < tree.threshold[node];
  if (x < 0 || x !== Math.floor(x)) return defaultLeft;
  for (let k = start; k < end; k++) if (tree.catCodes[k] === x) return true;
  return false;
}

/**
 * The leaf a row reaches. Feature f of the row is read at `data[base + f * stride]`, so one
 * function serves a row vector (base 0, stride 1) and a column-major matrix (base r, stride rows).
 */
export function leafOf(tree: Tree, data: Float64Array, base: number, stride: number): number {
  let node = 0;
  const left = tree.left;
  while (left[node] >= 0) {
    const x = data[base + tree.feature[node] * stride];
    node = goesLeft(tree, node, x) ? left[node] : tree.right[node];
  }
  return node;
}

/** JSON form of a tree: plain number arrays, exact for doubles. */
export interface TreeJson {
  left: number[];
  right: number[];
  feature: number[];
  threshold: number[];
  defaultLeft: number[];
  catOffsets: number[];
  catCodes: number[];
  value: number[];
  cover: number[];
  gain: number[];
}

export function treeToJson(tree: Tree): TreeJson {
  return {
    left: Array.from(tree.left),
    right: Array.from(tree.right),
    feature: Array.from(tree.feature),
    threshold: Array.from(tree.threshold),
    defaultLeft: Array.from(tree.defaultLeft),
    catOffsets: Array.from(tree.catOffsets),
    catCodes: Array.from(tree.catCodes),
    value: Array.from(tree.value),
    cover: Array.from(tree.cover),
    gain: Array.from(tree.gain),
  };
}

export function treeFromJson(json: TreeJson): Tree {
  return {
    left: Int32Array.from(json.left),
    right: Int32Array.from(json.right),
    feature: Int32Array.from(json.feature),
    threshold: Float64Array.from(json.threshold),
    defaultLeft: Uint8Array.from(json.defaultLeft),
    catOffsets: Int32Array.from(json.catOffsets),
    catCodes: Int32Array.from(json.catCodes),
    value: Float64Array.from(json.value),
    cover: Float64Array.from(json.cover),
    gain: Float64Array.from(json.gain),
  };
}
