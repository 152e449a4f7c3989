import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';
import type { TreeEnsemble } from './ensemble.js';
import { tableExplainer, type TableExplainer } from './shap-tables.js';
import { goesLeft, type Tree } from './tree.js';

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized feature
 * attribution for tree ensembles", Algorithm 2), as XGBoost's `pred_contribs` computes it.
 *
 * A feature outside the coalition is integrated out by following both children weighted by their
 * share of the node's cover; one inside follows the row (missing and unseen values take the node's
 * default direction, categorical nodes their set). Per output k, Σ_j φ_kj + bias_k = margin_k.
 */

/** Contributions of one dense row (length cols): `out[k * (cols + 1) + j]`, j = cols the bias. */
export type TreeShapFunction = (x: Float64Array, out?: Float64Array) => Float64Array;

export interface ShapOptions {
  /**
   * Per-leaf lookup tables (shap-tables.ts) when they fit in their memory limit; false always walks
   * the trees (Algorithm 2). Both give the same values.
   */
  tables?: boolean;
}

/**
 * A TreeSHAP function for one ensemble; node means and path buffers are computed once, and the
 * per-leaf tables of shap-tables.ts (when they fit) by the first call, so calls allocate nothing but
 * a default `out`. Use it for many rows; `treeShap` explains one row by the tree walk.
 */
export function treeShapExplainer(ensemble: TreeEnsemble, options: ShapOptions = {}): TreeShapFunction {
  const cols = ensemble.featureNames.length;
  const K = ensemble.outputs;
  const stride = cols + 1;
  const bias = Float64Array.from(ensemble.baseMargin);
  let depth = 0;
  for (let t = 0; t < ensemble.trees.length; t++) {
    const tree = ensemble.trees[t];
    bias[ensemble.treeOutput[t]] += nodeMean(tree, 0);
    depth = Math.max(depth, treeDepth(tree));
  }
  // Each recursion level copies the path (at most depth + 2 long) after its parent's: Σ ≤ (d+2)(d+3)/2.
  const size = ((depth + 2) * (depth + 3)) / 2;
  const path: PathBuffers = {
    feature: new Int32Array(size),
    zero: new Float64Array(size),
    one: new Float64Array(size),
    weight: new Float64Array(size),
  };
  const walk: Walk = {
    tree: ensemble.trees[0],
    x: new Float64Array(0),
    phi: new Float64Array(0),
    phiBase: 0,
    path,
  };
  // Built by the first explanation, not here: every fitted or loaded model makes an explainer, and
  // most are never asked to explain (a 300-tree model's tables take ~0.1 s and tens of MB).
  let lookup: TableExplainer | null | undefined = options.tables === false ? null : undefined;
  return (x, out = new Float64Array(K * stride)) => {
    if (x.length < cols) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `treeShap: the row has ${x.length} values; the model has ${cols} features`,
      );
    }
    if (out.length < K * stride) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `treeShap: 'out' holds ${out.length} values; needs ${K * stride}`,
      );
    }
    out.fill(0, 0, K * stride);
    if (lookup === undefined) lookup = tableExplainer(ensemble, stride);
    if (lookup !== null) lookup(x, out);
    else {
      walk.x = x;
      walk.phi = out;
      for (let t = 0; t < ensemble.trees.length; t++) {
        walk.tree = ensemble.trees[t]!;
        walk.phiBase = ensemble.treeOutput[t] * stride;
        recurse(walk, 0, 0, 0, 1, 1, -1);
      }
    }
    for (let k = 0; k < K; k++) out[k * stride + cols] = bias[k]!;
    return out;
  };
}

/** TreeSHAP contributions of one row; see TreeShapFunction for the layout. */
export function treeShap(ensemble: TreeEnsemble, x: Float64Array, out?: Float64Array): Float64Array {
  return treeShapExplainer(ensemble, { tables: false })(x, out);
}

/** Contributions of every row of X: `out[(r * outputs + k) * (cols + 1) + j]`, j = cols the bias. */
export function treeShapBatch(
  ensemble: TreeEnsemble,
  X: FeatureMatrix,
  out?: Float64Array,
  options?: ShapOptions,
): Float64Array {
  const stride = (X.cols + 1) * ensemble.outputs;
  if (X.cols !== ensemble.featureNames.length) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `treeShapBatch: the matrix has ${X.cols} features; the model has ${ensemble.featureNames.length}`,
    );
  }
  const result = out ?? new Float64Array(X.rows * stride);
  const explain = treeShapExplainer(ensemble, options);
  const row = new Float64Array(X.cols);
  for (let r = 0; r < X.rows; r++) {
    for (let j = 0; j < X.cols; j++) row[j] = X.data[j * X.rows + r]!;
    explain(row, result.subarray(r * stride, (r + 1) * stride));
  }
  return result;
}

/** One feature's share of a prediction, as `explain=true` reports it. */
export interface Contribution {
  readonly feature: number;
  readonly name: string;
  /** The row's value of the feature; NaN when missing or when no row was given. */
  readonly value: number;
  readonly contribution: number;
}

/**
 * The k features with the largest |contribution| (ties by feature order), from one output's
 * contributions (length ≥ names.length; a trailing bias is ignored). Zero contributions — features
 * the row's paths never split on — are left out, so fewer than k may come back.
 */
export function topContributions(
  contribs: ArrayLike<number>,
  names: readonly string[],
  k: number,
  x?: ArrayLike<number>,
): Contribution[] {
  const index: number[] = [];
  for (let j = 0; j < names.length; j++) if (contribs[j] !== 0) index.push(j);
  index.sort((a, b) => Math.abs(contribs[b]) - Math.abs(contribs[a]) || a - b);
  return index.slice(0, Math.max(0, k)).map((j) => ({
    feature: j,
    name: names[j],
    value: x === undefined ? NaN : x[j],
    contribution: contribs[j],
  }));
}

/** The path of unique features from the root: index, zero and one fractions, permutation weight. */
interface PathBuffers {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;
}

/** The state one explanation threads through the recursion; reused across trees and calls. */
interface Walk {
  tree: Tree;
  x: Float64Array;
  phi: Float64Array;
  phiBase: number;
  readonly path: PathBuffers;
}

/**
 * Algorithm 2's RECURSE. The parent's path of length depth (+1 for the root's dummy element)
 * starts at parentAt; this node's copy starts right after it and is extended with the split that
 * led here (feature, zero fraction pz, one fraction po). Copies are plain loops and divisions are
 * reciprocals (RECIPROCAL[n] = 1 / n): paths are a few elements long, so builtin calls and
 * divisions were most of an explanation's time.
 */
function recurse(
  w: Walk,
  node: number,
  parentAt: number,
  depth: number,
  pz: number,
  po: number,
  pf: number,
): void {
  const { tree, path } = w;
  const { feature, zero, one, weight } = path;
  const at = parentAt + depth + 1;
  for (let i = 0; i < depth; i++) {
    feature[at + i] = feature[parentAt + i];
    zero[at + i] = zero[parentAt + i];
    one[at + i] = one[parentAt + i];
    weight[at + i] = weight[parentAt + i];
  }
  extend(path, at, depth, pz, po, pf);

  const left = tree.left[node];
  if (left < 0) {
    const v = tree.value[node];
    for (let i = 1; i <= depth; i++) {
      const s = unwoundSum(path, at, depth, i);
      w.phi[w.phiBase + feature[at + i]] += s * (one[at + i] - zero[at + i]) * v;
    }
    return;
  }
  const right = tree.right[node];
  const f = tree.feature[node];
  const hot = goesLeft(tree, node, w.x[f]) ? left : right;
  const cold = hot === left ? right : left;
  const c = tree.cover[node];
  const hotZero = c > 0 ? tree.cover[hot] / c : 0.5;
  const coldZero = c > 0 ? tree.cover[cold] / c : 0.5;

  // A feature met again on the path is unwound and re-extended with the product of its fractions.
  let inZero = 1;
  let inOne = 1;
  let d = depth;
  let k = 1;
  while (k <= d && feature[at + k] !== f) k++;
  if (k <= d) {
    inZero = zero[at + k];
    inOne = one[at + k];
    unwind(path, at, d, k);
    d--;
  }
  recurse(w, hot, at, d + 1, hotZero * inZero, inOne, f);
  recurse(w, cold, at, d + 1, coldZero * inZero, 0, f);
}

/** 1 / n for the path lengths and positions TreeSHAP divides by (trees are far shallower than this). */
const RECIPROCAL = Float64Array.from({ length: 256 }, (_, n) => 1 / n);

/** EXTEND: adds element `depth` (feature f, fractions pz, po) and updates the permutation weights. */
function extend(p: PathBuffers, at: number, depth: number, pz: number, po: number, f: number): void {
  const weight = p.weight;
  p.feature[at + depth] = f;
  p.zero[at + depth] = pz;
  p.one[at + depth] = po;
  weight[at + depth] = depth === 0 ? 1 : 0;
  const scale = RECIPROCAL[depth + 1];
  for (let i = depth - 1; i >= 0; i--) {
    weight[at + i + 1] += po * weight[at + i] * (i + 1) * scale;
    weight[at + i] = pz * weight[at + i] * (depth - i) * scale;
  }
}

/** UNWIND: removes element k from a path of length depth (+1) and restores the weights. */
function unwind(p: PathBuffers, at: number, depth: number, k: number): void {
  const { feature, zero, one, weight } = p;
  const po = one[at + k];
  const pz = zero[at + k];
  let next = weight[at + depth];
  if (po !== 0) {
    const up = (depth + 1) / po;
    const down = pz * RECIPROCAL[depth + 1];
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = weight[at + i];
      weight[at + i] = next * up * RECIPROCAL[i + 1];
      next = tmp - weight[at + i] * down * (depth - i);
    }
  } else {
    const up = (depth + 1) / pz;
    for (let i = depth - 1; i >= 0; i--) weight[at + i] = weight[at + i] * up * RECIPROCAL[depth - i];
  }
  for (let i = k; i < depth; i++) {
    feature[at + i] = feature[at + i + 1];
    zero[at + i] = zero[at + i + 1];
    one[at + i] = one[at + i + 1];
  }
}

/** The total permutation weight the path would have with element k unwound, without unwinding it. */
function unwoundSum(p: PathBuffers, at: number, depth: number, k: number): number {
  const weight = p.weight;
  const po = p.one[at + k];
  const pz = p.zero[at + k];
  let total = 0;
  if (po !== 0) {
    const up = (depth + 1) / po;
    const down = pz * RECIPROCAL[depth + 1];
    let next = weight[at + depth];
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = next * up * RECIPROCAL[i + 1];
      total += tmp;
      next = weight[at + i] - tmp * down * (depth - i);
    }
  } else if (pz !== 0) {
    const up = (depth + 1) / pz;
    for (let i = depth - 1; i >= 0; i--) total += weight[at + i] * up * RECIPROCAL[depth - i];
  }
  return total;
}

/** The cover-weighted mean leaf value under a node: the tree's expectation when nothing is known. */
function nodeMean(tree: Tree, node: number): number {
  const left = tree.left[node];
  if (left < 0) return tree.value[node];
  const right = tree.right[node];
  const c = tree.cover[node];
  if (!(c > 0)) return (nodeMean(tree, left) + nodeMean(tree, right)) / 2;
  return (nodeMean(tree, left) * tree.cover[left] + nodeMean(tree, right) * tree.cover[right]) / c;
}

function treeDepth(tree: Tree, node = 0): number {
  const left = tree.left[node];
  return left < 0 ? 0 : 1 + Math.max(treeDepth(tree, left), treeDepth(tree, tree.right[node]));
}
