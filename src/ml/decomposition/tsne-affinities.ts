import { KdTree } from '../cluster/kd-tree.js';
import { squaredDistance, type Points } from '../cluster/points.js';
import { nearestIndices } from '../metrics/trustworthiness.js';

/** Sparse symmetric affinities P in CSR form: row i's entries are cols/values[rowStart[i] .. rowStart[i+1]). */
export interface SparseAffinities {
  rowStart: Int32Array;
  cols: Int32Array;
  values: Float64Array;
}

/** Above this many features the k-d tree visits most leaves, so neighbours are found by brute force. */
const TREE_MAX_FEATURES = 16;

/**
 * The k nearest other rows of every row (row-major n × k indices and squared distances, nearest
 * first): a k-d tree in few dimensions, an exact scan of all pairs otherwise.
 */
export function nearestNeighbours(P: Points, k: number): { index: Int32Array; distance: Float64Array } {
  const { n, d, data } = P;
  const index = new Int32Array(n * k);
  const distance = new Float64Array(n * k);
  if (d <= TREE_MAX_FEATURES) {
    const tree = KdTree.build(P);
    for (let i = 0; i < n; i++) {
      tree.nearest(
        data,
        i * d,
        k,
        index.subarray(i * k, (i + 1) * k),
        distance.subarray(i * k, (i + 1) * k),
        i,
      );
    }
    return { index, distance };
  }
  const row = new Float64Array(n);
  const near = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) row[j] = squaredDistance(data, i, data, j, d);
    row[i] = Infinity;
    nearestIndices(row, near);
    for (let t = 0; t < k; t++) {
      index[i * k + t] = near[t];
      distance[i * k + t] = row[near[t]];
    }
  }
  return { index, distance };
}

/**
 * Conditional affinities of one row to its neighbours: p_j ∝ exp(−β·d_j) over squared distances d,
 * with β found by bisection so that the entropy equals ln(perplexity) (van der Maaten & Hinton
 * 2008), to 1e-5 nats in at most 100 steps as scikit-learn does. Writes into `out`; sums to 1.
 */
export function calibrateRow(distances: Float64Array, perplexity: number, out: Float64Array): void {
  const m = distances.length;
  const target = Math.log(perplexity);
  let beta = 1;
  let low = -Infinity;
  let high = Infinity;
  for (let step = 0; step < 100; step++) {
    let sum = 0;
    for (let j = 0; j < m; j++) {
      out[j] = Math.exp(-distances[j] * beta);
      sum += out[j];
    }
    if (sum === 0) sum = 1e-8;
    let weighted = 0;
    for (let j = 0; j < m; j++) {
      out[j] /= sum;
      weighted += distances[j] * out[j];
    }
    const entropy = Math.log(sum) + beta * weighted;
    const gap = entropy - target;
    if (Math.abs(gap) <= 1e-5) break;
    if (gap > 0) {
      low = beta;
      beta = high === Infinity ? beta * 2 : (beta + high) / 2;
    } else {
      high = beta;
      beta = low === -Infinity ? beta / 2 : (beta + low) / 2;
    }
  }
}

/**
 * Joint affinities for t-SNE: conditional affinities over each row's k = ⌊3·perplexity⌋ + 1 nearest
 * neighbours, symmetrised as P = (P + Pᵀ) / Σ (van der Maaten 2014, §4.1).
 */
export function jointAffinities(P: Points, perplexity: number): SparseAffinities {
  const n = P.n;
  const k = Math.min(n - 1, Math.floor(3 * perplexity + 1));
  const { index, distance } = nearestNeighbours(P, k);
  const conditional = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    calibrateRow(distance.subarray(i * k, (i + 1) * k), perplexity, conditional.subarray(i * k, (i + 1) * k));
  }
  // Each (i, j) entry is written to rows i and j; duplicates are merged after a per-row sort.
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    counts[i + 1] += k;
    for (let t = 0; t < k; t++) counts[index[i * k + t] + 1]++;
  }
  for (let i = 0; i < n; i++) counts[i + 1] += counts[i];
  const fill = counts.slice(0, n);
  const rawCols = new Int32Array(counts[n]);
  const rawValues = new Float64Array(counts[n]);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = index[i * k + t];
      const p = conditional[i * k + t];
      rawCols[fill[i]] = j;
      rawValues[fill[i]++] = p;
      rawCols[fill[j]] = i;
      rawValues[fill[j]++] = p;
    }
  }
  const rowStart = new Int32Array(n + 1);
  const cols = new Int32Array(counts[n]);
  const values = new Float64Array(counts[n]);
  let total = 0;
  let at = 0;
  for (let i = 0; i < n; i++) {
    rowStart[i] = at;
    const s = counts[i];
    const e = counts[i + 1];
    const order = Array.from({ length: e - s }, (_, t) => s + t).sort((a, b) => rawCols[a] - rawCols[b]);
    for (const t of order) {
      if (at > rowStart[i] && cols[at - 1] === rawCols[t]) values[at - 1] += rawValues[t];
      else {
        cols[at] = rawCols[t];
        values[at++] = rawValues[t];
      }
      total += rawValues[t];
    }
  }
  rowStart[n] = at;
  const scale = total > 0 ? 1 / total : 1;
  for (let t = 0; t < at; t++) values[t] *= scale;
  return { rowStart, cols: cols.slice(0, at), values: values.slice(0, at) };
}
