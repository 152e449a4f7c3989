import type { FeatureMatrix } from '../matrix.js';
import { invalid, squaredDistance, toPoints } from '../cluster/points.js';

/**
 * Trustworthiness of an embedding (Venna & Kaski 2001, as scikit-learn computes it): how far the
 * k nearest neighbours of each point in the embedding are from being its k nearest neighbours in the
 * original space, penalised by their original rank. 1 means every embedded neighbourhood is a true
 * one. Exact, O(rows² × features): sample rows first for more than a few thousand.
 */
export function trustworthiness(X: FeatureMatrix, embedding: FeatureMatrix, neighbours = 5): number {
  const where = 'trustworthiness';
  const A = toPoints(X, where, 2);
  const E = toPoints(embedding, where, 2);
  const n = A.n;
  if (E.n !== n) throw invalid(where, `the embedding has ${E.n} rows but X has ${n}`);
  const k = neighbours;
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) {
    throw invalid(where, `'neighbours' is ${k}; expected an integer in [1, rows / 2)`);
  }
  const original = new Float64Array(n);
  const embedded = new Float64Array(n);
  const near = new Int32Array(k);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      original[j] = squaredDistance(A.data, i, A.data, j, A.d);
      embedded[j] = squaredDistance(E.data, i, E.data, j, E.d);
    }
    original[i] = Infinity;
    embedded[i] = Infinity;
    nearestIndices(embedded, near);
    for (let t = 0; t < k; t++) {
      const j = near[t];
      const dist = original[j];
      // Rank of j among i's original neighbours (1 = nearest); ties go to the lower index, as a stable sort would.
      let rank = 1;
      for (let m = 0; m < n; m++) {
        const o = original[m];
        if (o < dist || (o === dist && m < j)) rank++;
      }
      if (rank > k) penalty += rank - k;
    }
  }
  return 1 - (penalty * 2) / (n * k * (2 * n - 3 * k - 1));
}

/** The indices of the out.length smallest values (ties to the lower index), nearest first. */
export function nearestIndices(values: Float64Array, out: Int32Array): void {
  const k = out.length;
  let size = 0;
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    if (size === k && v >= values[out[k - 1]]) continue;
    let p = size < k ? size++ : k - 1;
    while (p > 0 && values[out[p - 1]] > v) {
      out[p] = out[p - 1];
      p--;
    }
    out[p] = j;
  }
}
