import { AgglomerativeModel } from './agglomerative.js';
import type { ClusterModel } from './cluster-model.js';
import { DbscanModel } from './dbscan.js';
import { GmmModel } from './gmm.js';
import { KMeansModel } from './kmeans.js';
import { invalid } from './points.js';

const LOADERS: Record<string, (json: unknown) => ClusterModel> = {
  'cairn-kmeans': (json) => KMeansModel.fromJSON(json),
  'cairn-dbscan': (json) => DbscanModel.fromJSON(json),
  'cairn-agglomerative': (json) => AgglomerativeModel.fromJSON(json),
  'cairn-gmm': (json) => GmmModel.fromJSON(json),
};

/** Any saved clustering model (the `toJSON` of k-means, mini-batch k-means, DBSCAN, agglomerative or GMM), by its `format`. */
export function loadClusterModel(json: unknown): ClusterModel {
  const format = (json as { format?: unknown } | null)?.format;
  const load = typeof format === 'string' ? LOADERS[format] : undefined;
  if (load === undefined) {
    throw invalid(
      'loadClusterModel',
      `'format' is ${JSON.stringify(format)}; expected one of ${Object.keys(LOADERS).join(', ')}`,
    );
  }
  return load(json);
}
