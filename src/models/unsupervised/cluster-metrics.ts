import { takeRows, type FeatureMatrix } from '../../ml/matrix.js';
import { adjustedRandIndex, normalizedMutualInformation } from '../../ml/metrics/cluster-agreement.js';
import {
  calinskiHarabaszScore,
  daviesBouldinScore,
  silhouetteScore,
} from '../../ml/metrics/cluster-quality.js';
import type { Labels } from './unsupervised-algorithm.js';

/** Rows scored for the silhouette, which costs rows² distances; a seeded sample above this. */
const SILHOUETTE_ROWS = 5_000;

/**
 * Cluster quality on the training rows, in the space the clusters were found in: silhouette,
 * Davies–Bouldin and Calinski–Harabasz over the clustered rows (DBSCAN's noise, −1, is left out, so
 * the figures describe the clusters, and `noise_share` says how much was left), and against a label
 * column the adjusted Rand index and normalised mutual information over every labelled row (noise
 * counting as one more cluster, as scikit-learn counts it). Internal scores need two clusters.
 */
export function clusterMetrics(
  X: FeatureMatrix,
  assigned: Int32Array,
  seed: number,
  labels?: Labels,
): Record<string, number> {
  const clustered = Uint32Array.from(Array.from(assigned).flatMap((c, i) => (c >= 0 ? [i] : [])));
  const found = new Set(assigned.filter((c) => c >= 0)).size;
  const metrics: Record<string, number> = { clusters: found };
  if (clustered.length < assigned.length) metrics.noise_share = 1 - clustered.length / assigned.length;
  if (found >= 2 && found < clustered.length) {
    const Xc = clustered.length === assigned.length ? X : takeRows(X, clustered);
    const yc =
      clustered.length === assigned.length ? assigned : Int32Array.from(clustered, (i) => assigned[i]);
    metrics.silhouette = silhouetteScore(Xc, yc, { sampleSize: SILHOUETTE_ROWS, seed });
    metrics.davies_bouldin = daviesBouldinScore(Xc, yc);
    metrics.calinski_harabasz = calinskiHarabaszScore(Xc, yc);
  }
  if (labels !== undefined && labels.rows.length > 0) {
    const predicted = Int32Array.from(labels.rows, (i) => assigned[i]);
    metrics.ari = adjustedRandIndex(labels.y, predicted);
    metrics.nmi = normalizedMutualInformation(labels.y, predicted);
  }
  return metrics;
}
