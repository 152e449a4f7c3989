import type { TreeEnsemble } from './ensemble.js';
import { goesLeft, type Tree } from './tree.js';

/**
 * Path-dependent TreeSHAP by table lookup (the idea of Fast TreeSHAP v2, Yang 2021): the same
 * values as Algorithm 2's recursion, at a fraction of the time per row.
 *
 * A tree's expectation given the features in S is Σ over leaves of value × Π over the leaf's
 * distinct path features j of (j ∈ S ? o_j : z_j), where z_j is the product of the cover fractions
 * of j's splits on the path and o_j is 1 when the row takes all of them, else 0. Each leaf is a
 * product game over its d path features, whose Shapley value for feature i is
 * (o_i − z_i) · Ψ_i(H ∖ i), with H the features the row follows and
 * Ψ_i(T) = Σ_{S ⊆ T} |S|! (d−|S|−1)! / d! · Π_{j ∉ S, j ≠ i} z_j.
 * Ψ depends on the row only through H, so every leaf stores value · Ψ_i for all i and all
 * T ⊆ (path ∖ i): d · 2^(d−1) numbers. Explaining a row then reads one number per leaf and feature.
 */

/** Leaves with more distinct path features than this make the tables too large to be worth it. */
const MAX_LEAF_FEATURES = 10;
/** Numbers the tables of one ensemble may hold (32 MB). */
const MAX_ENTRIES = 4 * 1024 * 1024;

/** Adds a row's contributions into `out` (`out[treeOutput * stride + feature]`); the bias is the caller's. */
export type TableExplainer = (x: Float64Array, out: Float64Array) => void;

interface Leaf {
  value: number;
  features: number[];
  zero: number[];
  /** The splits on the way: node, whether the path went left, and the slot of its feature in `features`. */
  steps: { node: number; left: boolean; slot: number }[];
}

/** The lookup explainer for an ensemble, or null when its tables would exceed the limits above. */
export function tableExplainer(ensemble: TreeEnsemble, stride: number): TableExplainer | null {
  const leavesByTree = ensemble.trees.map(pathLeaves);
  let entries = 0;
  let steps = 0;
  let features = 0;
  let leafCount = 0;
  for (const leaves of leavesByTree) {
    for (const leaf of leaves) {
      const d = leaf.features.length;
      if (d > MAX_LEAF_FEATURES) return null;
      entries += d === 0 ? 0 : d << (d - 1);
      steps += leaf.steps.length;
      features += d;
      leafCount++;
    }
  }
  if (entries > MAX_ENTRIES) return null;

  const treeLeaves = new Int32Array(ensemble.trees.length + 1);
  const stepStart = new Int32Array(leafCount + 1);
  const stepNode = new Int32Array(steps);
  const stepLeft = new Uint8Array(steps);
  const stepSlot = new Int32Array(steps);
  const featureStart = new Int32Array(leafCount + 1);
  const feature = new Int32Array(features);
  const zero = new Float64Array(features);
  const tableStart = new Int32Array(leafCount);
  const table = new Float64Array(entries);
  let l = 0;
  let s = 0;
  let f = 0;
  let e = 0;
  leavesByTree.forEach((leaves, t) => {
    for (const leaf of leaves) {
      for (const step of leaf.steps) {
        stepNode[s] = step.node;
        stepLeft[s] = step.left ? 1 : 0;
        stepSlot[s++] = step.slot;
      }
      for (let i = 0; i < leaf.features.length; i++) {
        feature[f] = leaf.features[i];
        zero[f++] = leaf.zero[i];
      }
      tableStart[l] = e;
      e += fillLeafTable(leaf, table, e);
      stepStart[++l] = s;
      featureStart[l] = f;
    }
    treeLeaves[t + 1] = l;
  });

  const nodes = ensemble.trees.reduce((most, tree) => Math.max(most, tree.left.length), 0);
  const goes = new Uint8Array(nodes);
  return (x, out) => {
    for (let t = 0; t < ensemble.trees.length; t++) {
      const tree = ensemble.trees[t];
      const { left, feature: splitFeature } = tree;
      for (let n = 0; n < left.length; n++) {
        if (left[n] >= 0) goes[n] = goesLeft(tree, n, x[splitFeature[n]]) ? 1 : 0;
      }
      const base = ensemble.treeOutput[t] * stride;
      for (let leaf = treeLeaves[t]; leaf < treeLeaves[t + 1]; leaf++) {
        const first = featureStart[leaf];
        const d = featureStart[leaf + 1] - first;
        let hot = (1 << d) - 1;
        for (let k = stepStart[leaf]; k < stepStart[leaf + 1]; k++) {
          if (goes[stepNode[k]] !== stepLeft[k]) hot &= ~(1 << stepSlot[k]);
        }
        const at = tableStart[leaf];
        const half = d === 0 ? 0 : 1 << (d - 1);
        for (let i = 0; i < d; i++) {
          const others = (hot & ((1 << i) - 1)) | ((hot >> (i + 1)) << i);
          out[base + feature[first + i]] +=
            (((hot >> i) & 1) - zero[first + i]) * table[at + i * half + others];
        }
      }
    }
  };
}

/** Every leaf of a tree with its distinct path features, their zero fractions and the path's splits. */
function pathLeaves(tree: Tree): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (node: number, path: Leaf): void => {
    const left = tree.left[node];
    if (left < 0) {
      leaves.push({ ...path, value: tree.value[node] });
      return;
    }
    const c = tree.cover[node];
    const f = tree.feature[node];
    for (const child of [left, tree.right[node]]) {
      const fraction = c > 0 ? tree.cover[child] / c : 0.5;
      let slot = path.features.indexOf(f);
      const next: Leaf = {
        value: 0,
        features: [...path.features],
        zero: [...path.zero],
        steps: [...path.steps],
      };
      if (slot < 0) {
        slot = next.features.push(f) - 1;
        next.zero.push(fraction);
      } else next.zero[slot] *= fraction;
      next.steps.push({ node, left: child === left, slot });
      walk(child, next);
    }
  };
  walk(0, { value: 0, features: [], zero: [], steps: [] });
  return leaves;
}

/** Writes value · Ψ_i(T) for each path feature i and each T ⊆ path ∖ i at `at`; returns the count. */
function fillLeafTable(leaf: Leaf, table: Float64Array, at: number): number {
  const d = leaf.features.length;
  if (d === 0) return 0;
  const players = d - 1;
  const subsets = 1 << players;
  const full = subsets - 1;
  // Shapley weight of a coalition of size k among d players, for k = 0 … d − 1.
  const weight = new Float64Array(d);
  for (let k = 0; k < d; k++) weight[k] = 1 / (d * binomial(d - 1, k));
  const zProduct = new Float64Array(subsets);
  for (let i = 0; i < d; i++) {
    const z = leaf.zero.filter((_, j) => j !== i);
    zProduct[0] = 1;
    for (let m = 1; m < subsets; m++) {
      const low = 31 - Math.clz32(m & -m);
      zProduct[m] = zProduct[m & (m - 1)] * z[low];
    }
    for (let T = 0; T < subsets; T++) {
      let psi = 0;
      // Every S ⊆ T, T itself first, down to the empty set.
      for (let S = T; ; S = (S - 1) & T) {
        psi += weight[popCount(S)] * zProduct[full ^ S];
        if (S === 0) break;
      }
      table[at + i * subsets + T] = leaf.value * psi;
    }
  }
  return d * subsets;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

function popCount(m: number): number {
  let count = 0;
  for (let v = m; v !== 0; v &= v - 1) count++;
  return count;
}
