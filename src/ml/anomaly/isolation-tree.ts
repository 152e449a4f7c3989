import type { Random } from '../../core/random.js';

/**
 * Isolation trees (Liu, Ting & Zhou 2008) in flat arrays. Node i is a leaf when feature[i] < 0, and
 * then value[i] is its path length: its depth plus c(size), the expected depth still needed to
 * isolate the `size` training rows that reached it. An inner node sends x[feature] ≤ value[i] to
 * child left[i] and the rest to left[i] + 1.
 */
export interface IsolationNodes {
  feature: Int32Array;
  value: Float64Array;
  left: Int32Array;
}

const EULER_GAMMA = 0.5772156649015329;

/**
 * c(n): the average path length of an unsuccessful search in a binary search tree of n points,
 * 2·H(n−1) − 2(n−1)/n with H(i) ≈ ln i + γ; c(2) = 1 and c(n ≤ 1) = 0 (scikit-learn's
 * `_average_path_length`).
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/**
 * Grows one tree into `nodes` from slot `start` over the rows `index` of X (column-major, n rows,
 * d features, no NaN), to depth `maxDepth`; returns the next free slot. Each split draws features
 * at random until one is not constant in the node (scikit-learn's random splitter with
 * max_features=1), then a threshold uniform in [min, max) of that feature there.
 */
export function growIsolationTree(
  X: Float64Array,
  n: number,
  d: number,
  index: Uint32Array,
  maxDepth: number,
  random: Random,
  nodes: IsolationNodes,
  start: number,
): number {
  const features = new Int32Array(d);
  // Work items: node slot, begin, end (into index), depth.
  const stack: number[] = [start, 0, index.length, 0];
  let next = start + 1;
  while (stack.length > 0) {
    const depth = stack.pop()!;
    const end = stack.pop()!;
    const begin = stack.pop()!;
    const node = stack.pop()!;
    const size = end - begin;
    let feature = -1;
    let lo = 0;
    let hi = 0;
    if (depth < maxDepth && size > 1) {
      for (let j = 0; j < d; j++) features[j] = j;
      for (let left = d; left > 0 && feature < 0; left--) {
        const pick = random.int(left);
        const f = features[pick];
        features[pick] = features[left - 1];
        const column = f * n;
        lo = Infinity;
        hi = -Infinity;
        for (let k = begin; k < end; k++) {
          const v = X[column + index[k]];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (hi > lo) feature = f;
      }
    }
    if (feature < 0) {
      nodes.feature[node] = -1;
      nodes.value[node] = depth + averagePathLength(size);
      continue;
    }
    let threshold = lo + random.next() * (hi - lo);
    if (threshold >= hi) threshold = lo;
    const column = feature * n;
    let mid = begin;
    for (let k = begin; k < end; k++) {
      const row = index[k];
      if (X[column + row] <= threshold) {
        index[k] = index[mid];
        index[mid++] = row;
      }
    }
    nodes.feature[node] = feature;
    nodes.value[node] = threshold;
    nodes.left[node] = next;
    stack.push(next, begin, mid, depth + 1, next + 1, mid, end, depth + 1);
    next += 2;
  }
  return next;
}

/**
 * Isolation trees laid out for scoring. Every leaf leads to itself (its threshold is +∞, so a row
 * always goes "left", and its left child is itself), so `depth` steps from a root end at a row's
 * leaf however deep that leaf is: the walk has no branch to mispredict, and four rows can be
 * walked side by side, their loads overlapping.
 */
export interface IsolationWalk {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  /** A leaf's path length (0 for inner nodes). */
  pathLength: Float64Array;
  /** The deepest leaf's depth. */
  depth: number;
}

export function isolationWalk(nodes: IsolationNodes): IsolationWalk {
  const size = nodes.feature.length;
  const walk: IsolationWalk = {
    feature: new Int32Array(size),
    threshold: new Float64Array(size),
    left: new Int32Array(size),
    pathLength: new Float64Array(size),
    depth: 0,
  };
  const depths = new Int32Array(size);
  // Roots are at depth 0, and children always follow their parent in the arrays, so one pass in
  // order sees each node's depth set before it.
  for (let i = 0; i < size; i++) {
    if (nodes.feature[i] < 0) {
      walk.threshold[i] = Infinity;
      walk.left[i] = i;
      walk.pathLength[i] = nodes.value[i];
      walk.depth = Math.max(walk.depth, depths[i]);
    } else {
      walk.feature[i] = nodes.feature[i];
      walk.threshold[i] = nodes.value[i];
      walk.left[i] = nodes.left[i];
      depths[nodes.left[i]] = depths[nodes.left[i] + 1] = depths[i] + 1;
    }
  }
  return walk;
}

/**
 * Adds, for each row of X (column-major, `rows` rows, no NaN), the path length through every tree
 * whose root is in `roots` to out[row]. Tree by tree, so a tree's nodes stay in cache for all rows.
 */
export function addPathLengths(
  walk: IsolationWalk,
  roots: Int32Array,
  X: Float64Array,
  rows: number,
  out: Float64Array,
): void {
  const { feature, threshold, left, pathLength, depth } = walk;
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t];
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      let a = root;
      let b = root;
      let c = root;
      let d = root;
      for (let level = 0; level < depth; level++) {
        a = left[a] + (X[feature[a] * rows + r] > threshold[a] ? 1 : 0);
        b = left[b] + (X[feature[b] * rows + r + 1] > threshold[b] ? 1 : 0);
        c = left[c] + (X[feature[c] * rows + r + 2] > threshold[c] ? 1 : 0);
        d = left[d] + (X[feature[d] * rows + r + 3] > threshold[d] ? 1 : 0);
      }
      out[r] += pathLength[a];
      out[r + 1] += pathLength[b];
      out[r + 2] += pathLength[c];
      out[r + 3] += pathLength[d];
    }
    for (; r < rows; r++) {
      let a = root;
      for (let level = 0; level < depth; level++)
        a = left[a] + (X[feature[a] * rows + r] > threshold[a] ? 1 : 0);
      out[r] += pathLength[a];
    }
  }
}
