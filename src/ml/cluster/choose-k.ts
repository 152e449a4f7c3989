import type { ParallelPool } from '../../core/parallel.js';
import type { FeatureMatrix } from '../matrix.js';
import { choiceParam, numberParam } from '../linear/validate.js';
import { silhouetteScore } from '../metrics/cluster-quality.js';
import { fitKMeans, type KMeansModel } from './kmeans.js';
import { invalid } from './points.js';

export interface ChooseKParams {
  /** Smallest k tried. Default 2. */
  kMin?: number;
  /** Largest k tried (capped at rows − 1). Default 10. */
  kMax?: number;
  /** 'silhouette' (default): the k with the best mean silhouette; 'elbow': the knee of the inertia curve. */
  method?: 'silhouette' | 'elbow';
  /** k-means restarts per k. Default 10. */
  nInit?: number;
  /** Rows scored for the silhouette (a seeded sample above this; silhouette is O(rows²)). Default 2000. */
  sampleSize?: number;
  seed?: number;
  /** Worker threads for each fit's restarts (same choice either way). */
  pool?: ParallelPool;
}

export interface KCandidate {
  k: number;
  inertia: number;
  /** Mean silhouette (on the sample); computed for both methods so a report can show it. */
  silhouette: number;
}

export interface KChoice {
  k: number;
  method: 'silhouette' | 'elbow';
  candidates: KCandidate[];
  /** The k-means model at the chosen k. */
  model: KMeansModel;
}

/**
 * Picks the number of clusters for k-means by fitting every k in [kMin, kMax]. The elbow is the
 * Kneedle knee (Satopää et al. 2011): with k and inertia both scaled to [0, 1], the k whose inertia
 * lies furthest below the chord from the first to the last candidate.
 */
export function chooseK(X: FeatureMatrix, params: ChooseKParams = {}): KChoice {
  const where = 'chooseK';
  const kMin = numberParam(where, 'kMin', params.kMin, 2, 2, Infinity, true);
  const kMax = Math.min(numberParam(where, 'kMax', params.kMax, 10, kMin, Infinity, true), X.rows - 1);
  if (kMax < kMin) {
    throw invalid(where, `X has ${X.rows} rows; choosing k from ${kMin} needs more than ${kMin} rows`);
  }
  const method = choiceParam(where, 'method', params.method, 'silhouette', ['silhouette', 'elbow']);
  const nInit = numberParam(where, 'nInit', params.nInit, 10, 1, 1000, true);
  const sampleSize = numberParam(where, 'sampleSize', params.sampleSize, 2000, 10, Infinity, true);
  const seed = numberParam(where, 'seed', params.seed, 42, -Infinity, Infinity, true);

  const models: KMeansModel[] = [];
  const candidates: KCandidate[] = [];
  for (let k = kMin; k <= kMax; k++) {
    const model = fitKMeans(X, { k, nInit, seed, pool: params.pool });
    const labels = model.predict(X);
    const distinct = new Set(labels).size;
    const silhouette = distinct > 1 ? silhouetteScore(X, labels, { sampleSize, seed }) : -1;
    models.push(model);
    candidates.push({ k, inertia: model.inertia, silhouette });
  }
  let chosen = 0;
  if (method === 'silhouette') {
    candidates.forEach((c, i) => {
      if (c.silhouette > candidates[chosen].silhouette) chosen = i;
    });
  } else {
    chosen = kneeIndex(candidates.map((c) => c.inertia));
  }
  return { k: candidates[chosen].k, method, candidates, model: models[chosen] };
}

/** Index of the knee of a decreasing curve (Kneedle); 0 when the curve has no bend (or < 3 points). */
export function kneeIndex(values: readonly number[]): number {
  const m = values.length;
  if (m < 3) return 0;
  const first = values[0];
  const last = values[m - 1];
  const span = first - last;
  if (!(Math.abs(span) > 0)) return 0;
  let best = 0;
  let bestGap = 0;
  for (let i = 0; i < m; i++) {
    const x = i / (m - 1);
    const y = (values[i] - last) / span;
    // Chord from (0, 1) to (1, 0) is 1 − x; a convex decreasing curve bends below it.
    const gap = 1 - x - y;
    if (gap > bestGap) {
      bestGap = gap;
      best = i;
    }
  }
  return best;
}
