import { pairwiseDistances } from './centre-distances.js';
import { squaredDistance, type Points } from './points.js';

export type Linkage = 'ward' | 'complete' | 'average' | 'single';

/**
 * Hierarchical clustering kernels. Each returns a linkage matrix in scipy's layout, so a dendrogram
 * drawer written for scipy reads it: row-major (n − 1) × 4, row t = [a, b, distance, size] merging
 * clusters a and b (ids < n are rows, id n + t is the cluster made by row t) at `distance` into a
 * cluster of `size` rows; rows sorted by distance, a < b.
 */

interface Merge {
  a: number;
  b: number;
  distance: number;
}

/** Bytes of the square distance matrix matrixLinkage holds for n rows. */
export const matrixBytes = (n: number) => n * n * 8;

/**
 * Ward, complete or average linkage by the nearest-neighbour chain (Murtagh 1983; Müllner 2011) over
 * a Euclidean distance matrix updated by Lance–Williams: O(n²) time, n² doubles. The matrix is kept
 * square rather than condensed so each nearest-neighbour scan reads one contiguous row; the
 * condensed layout's column walks made the chain three times slower on 1,797 rows. Ward keeps
 * squared distances, whose Lance–Williams update needs no square root (the chain's choices are the
 * same, since squaring keeps the order); merge heights are reported as distances.
 */
export function matrixLinkage(P: Points, linkage: 'ward' | 'complete' | 'average'): Float64Array {
  const { n } = P;
  const ward = linkage === 'ward';
  const D = pairwiseDistances(P, ward);
  const size = new Float64Array(n).fill(1);
  const active = Int32Array.from({ length: n }, (_, i) => i);
  let count = n;
  const position = Int32Array.from({ length: n }, (_, i) => i);
  const merges: Merge[] = [];
  const chain = new Int32Array(n);
  let top = 0;
  while (count > 1) {
    if (top === 0) chain[top++] = active[0];
    for (;;) {
      const x = chain[top - 1];
      let best = top > 1 ? chain[top - 2] : -1;
      const row = x * n;
      let bestDistance = best >= 0 ? D[row + best] : Infinity;
      for (let t = 0; t < count; t++) {
        const y = active[t];
        if (y === x) continue;
        const dist = D[row + y];
        if (dist < bestDistance) {
          bestDistance = dist;
          best = y;
        }
      }
      if (top > 1 && best === chain[top - 2]) break;
      chain[top++] = best;
    }
    const x = chain[--top];
    const y = chain[--top];
    const dxy = D[x * n + y];
    merges.push({ a: x, b: y, distance: ward ? Math.sqrt(dxy) : dxy });
    // The merged cluster lives on in slot y; slot x leaves the active list.
    const nx = size[x];
    const ny = size[y];
    for (let t = 0; t < count; t++) {
      const k = active[t];
      if (k === x || k === y) continue;
      const dkx = D[x * n + k];
      const dky = D[y * n + k];
      let value: number;
      if (linkage === 'complete') value = dkx > dky ? dkx : dky;
      else if (linkage === 'average') value = (nx * dkx + ny * dky) / (nx + ny);
      else {
        const nk = size[k];
        // ≥ 0 in exact arithmetic; rounding must not hand the square root a negative.
        value = Math.max(0, ((nx + nk) * dkx + (ny + nk) * dky - nk * dxy) / (nx + ny + nk));
      }
      D[y * n + k] = D[k * n + y] = value;
    }
    size[y] = nx + ny;
    const p = position[x];
    active[p] = active[--count];
    position[active[p]] = p;
  }
  return toLinkageMatrix(n, merges);
}

/**
 * Ward linkage by the nearest-neighbour chain on cluster centroids and sizes, with no distance
 * matrix: Ward's merge cost between clusters A and B is √(2·|A||B| / (|A|+|B|)) · ‖c_A − c_B‖, the
 * same distance scipy's ward reports. O(n² · features) time, O(n · features) memory, for inputs whose
 * matrix would not fit.
 */
export function centroidWardLinkage(P: Points): Float64Array {
  const { n, d } = P;
  const centre = Float64Array.from(P.data);
  const size = new Float64Array(n).fill(1);
  const active = Int32Array.from({ length: n }, (_, i) => i);
  const position = Int32Array.from({ length: n }, (_, i) => i);
  let count = n;
  const merges: Merge[] = [];
  const chain = new Int32Array(n);
  let top = 0;
  const cost = (x: number, y: number) =>
    ((2 * size[x] * size[y]) / (size[x] + size[y])) * squaredDistance(centre, x, centre, y, d);
  while (count > 1) {
    if (top === 0) chain[top++] = active[0];
    for (;;) {
      const x = chain[top - 1];
      let best = top > 1 ? chain[top - 2] : -1;
      let bestCost = best >= 0 ? cost(x, best) : Infinity;
      for (let t = 0; t < count; t++) {
        const y = active[t];
        if (y === x) continue;
        const c = cost(x, y);
        if (c < bestCost) {
          bestCost = c;
          best = y;
        }
      }
      if (top > 1 && best === chain[top - 2]) break;
      chain[top++] = best;
    }
    const x = chain[--top];
    const y = chain[--top];
    merges.push({ a: x, b: y, distance: Math.sqrt(cost(x, y)) });
    const total = size[x] + size[y];
    for (let j = 0; j < d; j++) {
      centre[y * d + j] = (size[x] * centre[x * d + j] + size[y] * centre[y * d + j]) / total;
    }
    size[y] = total;
    const p = position[x];
    active[p] = active[--count];
    position[active[p]] = p;
  }
  return toLinkageMatrix(n, merges);
}

/**
 * Single linkage as the minimum spanning tree (Gower & Ross 1969) by Prim's algorithm on the fly:
 * O(n² · features) time, O(n) memory.
 */
export function singleLinkage(P: Points): Float64Array {
  const { n, d, data } = P;
  const inTree = new Uint8Array(n);
  const best = new Float64Array(n).fill(Infinity);
  const from = new Int32Array(n);
  const merges: Merge[] = [];
  let current = 0;
  inTree[0] = 1;
  for (let step = 1; step < n; step++) {
    let next = -1;
    let nextDistance = Infinity;
    for (let j = 0; j < n; j++) {
      if (inTree[j] === 1) continue;
      const dist = squaredDistance(data, current, data, j, d);
      if (dist < best[j]) {
        best[j] = dist;
        from[j] = current;
      }
      if (best[j] < nextDistance) {
        nextDistance = best[j];
        next = j;
      }
    }
    merges.push({ a: from[next], b: next, distance: Math.sqrt(nextDistance) });
    inTree[next] = 1;
    current = next;
  }
  return toLinkageMatrix(n, merges);
}

/**
 * Sorts merges by distance (stably) and renames their sides to scipy's cluster ids. Each merge names
 * its clusters by any row inside them, which is all the chain and MST algorithms know.
 */
function toLinkageMatrix(n: number, merges: Merge[]): Float64Array {
  const order = merges.map((_, t) => t).sort((s, t) => merges[s].distance - merges[t].distance || s - t);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const id = Int32Array.from({ length: n }, (_, i) => i);
  const size = new Float64Array(n).fill(1);
  const find = (i: number) => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const Z = new Float64Array((n - 1) * 4);
  order.forEach((m, t) => {
    const ra = find(merges[m].a);
    const rb = find(merges[m].b);
    const ia = id[ra];
    const ib = id[rb];
    Z[t * 4] = Math.min(ia, ib);
    Z[t * 4 + 1] = Math.max(ia, ib);
    Z[t * 4 + 2] = merges[m].distance;
    Z[t * 4 + 3] = size[ra] + size[rb];
    parent[ra] = rb;
    size[rb] += size[ra];
    id[rb] = n + t;
  });
  return Z;
}

/**
 * Flat clusters from a linkage matrix: undo the last k − 1 merges. Labels 0..k−1 in order of each
 * cluster's first row.
 */
export function cutTree(Z: Float64Array, n: number, k: number): Int32Array {
  const parent = Int32Array.from({ length: 2 * n - 1 }, (_, i) => i);
  const find = (i: number) => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  for (let t = 0; t < n - k; t++) {
    parent[find(Z[t * 4])] = n + t;
    parent[find(Z[t * 4 + 1])] = n + t;
  }
  const labels = new Int32Array(n);
  const seen = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    let label = seen.get(root);
    if (label === undefined) {
      label = seen.size;
      seen.set(root, label);
    }
    labels[i] = label;
  }
  return labels;
}
