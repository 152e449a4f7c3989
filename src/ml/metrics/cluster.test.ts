import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadClusterData, SKLEARN } from '../../../test/cluster-data.js';
import { fitPca } from '../decomposition/pca.js';
import { adjustedRandIndex, normalizedMutualInformation } from './cluster-agreement.js';
import { calinskiHarabaszScore, daviesBouldinScore, silhouetteScore } from './cluster-quality.js';
import { trustworthiness } from './trustworthiness.js';

const close = (a: number, b: number, tolerance: number) =>
  assert.ok(Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('cluster metrics equal scikit-learn 1.2 on standardised wine', () => {
  it('silhouette, Davies–Bouldin and Calinski–Harabasz of the cultivar labels', async () => {
    const { X, y } = await loadClusterData('wine');
    const ref = SKLEARN.metrics.wine;
    close(silhouetteScore(X, y), ref.silhouette, 1e-10);
    close(daviesBouldinScore(X, y), ref.davies_bouldin, 1e-10);
    close(calinskiHarabaszScore(X, y), ref.calinski_harabasz, 1e-10);
  });

  it('ARI and NMI of scikit-learn k-means labels against the cultivars', async () => {
    const { y } = await loadClusterData('wine');
    const ref = SKLEARN.metrics.wine;
    close(adjustedRandIndex(y, ref.kmeans_labels), ref.ari, 1e-12);
    close(normalizedMutualInformation(y, ref.kmeans_labels), ref.nmi, 1e-12);
  });

  it('agreement is invariant to renaming labels and 1 for identical partitions', () => {
    const a = [0, 0, 1, 1, 2, 2, 2];
    const b = [5, 5, -1, -1, 9, 9, 9];
    assert.equal(adjustedRandIndex(a, b), 1);
    close(normalizedMutualInformation(a, b), 1, 1e-15);
    assert.ok(adjustedRandIndex(a, [0, 1, 0, 1, 0, 1, 0]) < 0.1);
    assert.throws(
      () => adjustedRandIndex([0, 1], [0]),
      /adjustedRandIndex: the labellings have 2 and 1 rows/,
    );
  });

  it('silhouette on a seeded sample is close to the full value; one cluster is refused', async () => {
    const { X, y } = await loadClusterData('wine');
    const full = silhouetteScore(X, y);
    const sampled = silhouetteScore(X, y, { sampleSize: 120, seed: 1 });
    assert.ok(Math.abs(sampled - full) < 0.05);
    assert.throws(
      () => silhouetteScore(X, new Int32Array(X.rows)),
      /silhouetteScore: labels hold 1 clusters/,
    );
  });

  it('trustworthiness of iris in its first two principal components equals scikit-learn to 1e-12', async () => {
    const { X } = await loadClusterData('iris');
    const embedding = fitPca(X, { nComponents: 2 }).transform(X);
    close(trustworthiness(X, embedding, 5), SKLEARN.metrics.iris_pca2_trustworthiness_k5, 1e-12);
    assert.equal(trustworthiness(X, X, 5), 1);
  });
});
