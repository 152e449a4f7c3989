import { Random } from '../../core/random.js';
import { codes } from './cluster-agreement.js';
import type { FeatureMatrix } from '../matrix.js';
import {
  invalid,
  sampleIndex,
  squaredDistance,
  takePoints,
  toPoints,
  type Points,
} from '../cluster/points.js';

/**
 * Internal cluster quality (no ground truth): silhouette, Davies–Bouldin and Calinski–Harabasz on
 * Euclidean distances, as scikit-learn defines them. Every distinct label is a cluster (DBSCAN's −1
 * included, as in scikit-learn: drop noise rows first to score only the clusters).
 */

export interface SilhouetteOptions {
  /** Score a seeded sample of this many rows instead of all (silhouette is O(rows²)). */
  sampleSize?: number;
  seed?: number;
}

function prepare(X: FeatureMatrix, labels: ArrayLike<number>, operation: string) {
  const P = toPoints(X, operation, 2);
  if (labels.length !== P.n)
    throw invalid(operation, `labels has ${labels.length} values but X has ${P.n} rows`);
  const { codes: code, count } = codes(labels);
  if (count < 2 || count > P.n - 1) {
    throw invalid(operation, `labels hold ${count} clusters; need 2 to rows − 1 (${P.n - 1})`);
  }
  return { P, code, count };
}

/** Mean silhouette coefficient over rows, in [−1, 1]; higher is better. */
export function silhouetteScore(
  X: FeatureMatrix,
  labels: ArrayLike<number>,
  options: SilhouetteOptions = {},
): number {
  let { P, code, count } = prepare(X, labels, 'silhouetteScore');
  if (options.sampleSize !== undefined && options.sampleSize < P.n) {
    const random = new Random(options.seed ?? 42);
    const index = sampleIndex(P.n, options.sampleSize, () => random.next());
    P = takePoints(P, index);
    const recoded = codes(Int32Array.from(index, (i) => code[i]));
    code = recoded.codes;
    count = recoded.count;
    if (count < 2) throw invalid('silhouetteScore', 'the sample holds a single cluster; sample more rows');
  }
  const values = silhouetteSamples(P, code, count);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Per-point silhouette for points with cluster codes 0..count−1; a point alone in its cluster scores 0. */
export function silhouetteSamples(P: Points, code: Int32Array, count: number): Float64Array {
  const { n, d, data } = P;
  const sizes = new Float64Array(count);
  for (let i = 0; i < n; i++) sizes[code[i]]++;
  // Row i's summed distance to each cluster; pairs are visited once and credited both ways.
  const sums = new Float64Array(n * count);
  for (let i = 0; i < n; i++) {
    const ci = code[i];
    for (let j = i + 1; j < n; j++) {
      const dist = Math.sqrt(squaredDistance(data, i, data, j, d));
      sums[i * count + code[j]] += dist;
      sums[j * count + ci] += dist;
    }
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ci = code[i];
    if (sizes[ci] <= 1) continue;
    const a = sums[i * count + ci] / (sizes[ci] - 1);
    let b = Infinity;
    for (let c = 0; c < count; c++) {
      if (c === ci) continue;
      const mean = sums[i * count + c] / sizes[c];
      if (mean < b) b = mean;
    }
    const m = Math.max(a, b);
    out[i] = m > 0 ? (b - a) / m : 0;
  }
  return out;
}

function centroids(
  P: Points,
  code: Int32Array,
  count: number,
): { centres: Float64Array; sizes: Float64Array } {
  const { n, d, data } = P;
  const centres = new Float64Array(count * d);
  const sizes = new Float64Array(count);
  for (let i = 0; i < n; i++) {
    sizes[code[i]]++;
    for (let j = 0; j < d; j++) centres[code[i] * d + j] += data[i * d + j];
  }
  for (let c = 0; c < count; c++) for (let j = 0; j < d; j++) centres[c * d + j] /= sizes[c];
  return { centres, sizes };
}

/** Davies–Bouldin index: mean over clusters of the worst (scatter_i + scatter_j) / separation_ij; lower is better. */
export function daviesBouldinScore(X: FeatureMatrix, labels: ArrayLike<number>): number {
  const { P, code, count } = prepare(X, labels, 'daviesBouldinScore');
  const { n, d, data } = P;
  const { centres, sizes } = centroids(P, code, count);
  const scatter = new Float64Array(count);
  for (let i = 0; i < n; i++) scatter[code[i]] += Math.sqrt(squaredDistance(data, i, centres, code[i], d));
  for (let c = 0; c < count; c++) scatter[c] /= sizes[c];
  let total = 0;
  for (let a = 0; a < count; a++) {
    let worst = 0;
    for (let b = 0; b < count; b++) {
      if (a === b) continue;
      const separation = Math.sqrt(squaredDistance(centres, a, centres, b, d));
      // Coincident centres: scikit-learn sets the ratio to inf then replaces it by 0.
      const ratio = separation > 0 ? (scatter[a] + scatter[b]) / separation : 0;
      if (ratio > worst) worst = ratio;
    }
    total += worst;
  }
  return total / count;
}

/** Calinski–Harabasz index (variance ratio criterion): between- over within-cluster dispersion; higher is better. */
export function calinskiHarabaszScore(X: FeatureMatrix, labels: ArrayLike<number>): number {
  const { P, code, count } = prepare(X, labels, 'calinskiHarabaszScore');
  const { n, d, data } = P;
  const { centres, sizes } = centroids(P, code, count);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j] / n;
  let within = 0;
  for (let i = 0; i < n; i++) within += squaredDistance(data, i, centres, code[i], d);
  let between = 0;
  for (let c = 0; c < count; c++) between += sizes[c] * squaredDistance(centres, c, mean, 0, d);
  return within === 0 ? 1 : (between * (n - count)) / (within * (count - 1));
}
