import type { FeatureMatrix } from '../matrix.js';

/**
 * What every fitted clustering model offers, so spec-driven training and prediction can treat them
 * alike: the cluster of each new row (−1 for noise, DBSCAN only) and a JSON form that reloads to a
 * model assigning the same clusters.
 */
export interface ClusterModel {
  readonly algorithm: 'kmeans' | 'minibatch_kmeans' | 'dbscan' | 'agglomerative' | 'gmm';
  /** Number of clusters (DBSCAN: found, noise not counted). */
  readonly k: number;
  /** The feature names the model was fitted on, in order. */
  readonly names: readonly string[];
  predict(X: FeatureMatrix): Int32Array;
  toJSON(): unknown;
}
