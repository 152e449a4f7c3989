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
 * Adds, for each row of X (column-major, `rows` rows), the path length through every tree whose
 * root is in `roots` to out[row]. Missing values take `fill[feature]`.
 */
export function addPathLengths(
  nodes: IsolationNodes,
  roots: Int32Array,
  X: Float64Array,
  rows: number,
  fill: Float64Array,
  out: Float64Array,
): void {
  const { feature, value, left } = nodes;
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t];
      let f = feature[node];
      while (f >= 0) {
        let v = X[f * rows + r];
        if (v !== v) v = fill[f];
        node = v <= value[node] ? left[node] : left[node] + 1;
        f = feature[node];
      }
      total += value[node];
    }
    out[r] += total;
  }
}
