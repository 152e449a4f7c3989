import { Random } from '../../core/random.js';
import type { FeatureMatrix } from '../matrix.js';
import { numberParam } from '../linear/validate.js';
import { KdTree } from './kd-tree.js';
import { sampleIndex, toPoints } from './points.js';

export interface EpsSuggestion {
  eps: number;
  /** Neighbours counted: the k-distance is the distance to the k-th nearest other row (k = minSamples − 1). */
  k: number;
  /** The sorted (ascending) k-distances of the rows scored, for a k-distance plot. */
  kDistances: Float64Array;
  /** Position of the knee in kDistances. */
  knee: number;
}

/**
 * An eps for DBSCAN from the k-distance curve (Ester et al. 1996, §4.2): sort every row's distance to
 * its k-th nearest other row and take the knee (Kneedle: with both axes scaled to [0, 1], the point
 * furthest below the chord), where rows stop being inside dense regions. k = minSamples − 1, so a row
 * at the knee is just a core row at that eps. Queries a seeded sample of `sampleSize` rows (all rows
 * stay in the index) to bound the cost on large tables.
 */
export function suggestEps(
  X: FeatureMatrix,
  params: { minSamples?: number; sampleSize?: number; seed?: number } = {},
): EpsSuggestion {
  const where = 'suggestEps';
  const minSamples = numberParam(where, 'minSamples', params.minSamples, 5, 2, X.rows, true);
  const sampleSize = numberParam(where, 'sampleSize', params.sampleSize, 5000, 10, Infinity, true);
  const random = new Random(numberParam(where, 'seed', params.seed, 42, -Infinity, Infinity, true));
  const P = toPoints(X, where, 3);
  const k = minSamples - 1;
  const tree = KdTree.build(P);
  const rows = P.n > sampleSize ? sampleIndex(P.n, sampleSize, () => random.next()) : undefined;
  const m = rows?.length ?? P.n;
  const kDistances = new Float64Array(m);
  const index = new Int32Array(k);
  const distance = new Float64Array(k);
  for (let t = 0; t < m; t++) {
    const i = rows === undefined ? t : rows[t];
    tree.nearest(P.data, i * P.d, k, index, distance, i);
    kDistances[t] = Math.sqrt(distance[k - 1]);
  }
  kDistances.sort();
  const knee = risingKnee(kDistances);
  return { eps: kDistances[knee], k, kDistances, knee };
}

/** Knee of an increasing convex curve: the index maximising x − y with both scaled to [0, 1]. */
function risingKnee(values: Float64Array): number {
  const m = values.length;
  const first = values[0];
  const span = values[m - 1] - first;
  if (!(span > 0)) return m - 1;
  let best = m - 1;
  let bestGap = 0;
  for (let i = 0; i < m; i++) {
    const gap = i / (m - 1) - (values[i] - first) / span;
    if (gap > bestGap) {
      bestGap = gap;
      best = i;
    }
  }
  return best;
}
