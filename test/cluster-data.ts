import { readFileSync } from 'node:fs';
import type { FeatureMatrix } from '../src/ml/matrix.js';
import { loadCsv } from './ml-data.js';

/**
 * Inputs for the clustering and projection tests: the real datasets of data/ with every feature
 * standardised (mean 0, population std 1, as scikit-learn's StandardScaler), except digits, whose
 * 0–16 pixel values are used raw as in scikit-learn's examples; plus the reference values
 * test/fixtures/cluster/make_fixtures.py computed with scikit-learn 1.2.1 on the same files.
 */

export type ClusterDataset = 'iris' | 'wine' | 'breast_cancer' | 'digits';

export async function loadClusterData(name: ClusterDataset): Promise<{ X: FeatureMatrix; y: Int32Array }> {
  const drop = name === 'digits' ? [] : ['target_name'];
  const { X, y } = await loadCsv(`${name}.csv`, { target: 'target', drop });
  return { X: name === 'digits' ? X : standardise(X), y: Int32Array.from(y) };
}

export function standardise(X: FeatureMatrix): FeatureMatrix {
  const data = new Float64Array(X.data.length);
  const n = X.rows;
  for (let j = 0; j < X.cols; j++) {
    const column = X.data.subarray(j * n, (j + 1) * n);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += column[i] / n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (column[i] - mean) ** 2 / n;
    const scale = variance > 0 ? Math.sqrt(variance) : 1;
    for (let i = 0; i < n; i++) data[j * n + i] = (column[i] - mean) / scale;
  }
  return { ...X, data };
}

type Linkage = 'ward' | 'complete' | 'average' | 'single';

/** The shape of test/fixtures/cluster/sklearn.json (see make_fixtures.py). */
export interface SklearnFixture {
  kmeans: Record<ClusterDataset, { k: number; inertia: number; ari: number }>;
  agglomerative: Record<'iris' | 'wine', Record<Linkage, { ari: number; heights: number[] }>>;
  dbscan: Record<'iris' | 'wine', { eps: number; min_samples: number; labels: number[]; ari: number }>;
  gmm: Record<'iris' | 'wine', Record<'full' | 'diag', { ari: number; score: number; bic: number }>>;
  pca: {
    wine: {
      explained_variance: number[];
      explained_variance_ratio: number[];
      components: number[][];
      transform_first3: number[][];
      whiten_first3: number[][];
      n_components_95: number;
    };
  };
  metrics: {
    wine: {
      silhouette: number;
      davies_bouldin: number;
      calinski_harabasz: number;
      kmeans_labels: number[];
      ari: number;
      nmi: number;
    };
    iris_pca2_trustworthiness_k5: number;
  };
  tsne: { digits: { trustworthiness_k5: number; seconds: number } };
}

export const SKLEARN = JSON.parse(
  readFileSync(new URL('./fixtures/cluster/sklearn.json', import.meta.url), 'utf8'),
) as SklearnFixture;
