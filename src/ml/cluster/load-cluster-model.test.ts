import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadClusterData } from '../../../test/cluster-data.js';
import { fitAgglomerative } from './agglomerative.js';
import { fitDbscan } from './dbscan.js';
import { fitGmm } from './gmm.js';
import { fitKMeans } from './kmeans.js';
import { loadClusterModel } from './load-cluster-model.js';
import { fitMiniBatchKMeans } from './minibatch-kmeans.js';

describe('loadClusterModel', () => {
  it('reloads every clustering model to one that assigns the same clusters', async () => {
    const { X } = await loadClusterData('iris');
    const models = [
      fitKMeans(X, { k: 3 }),
      fitMiniBatchKMeans(X, { k: 3 }),
      fitDbscan(X, { eps: 0.8 }),
      fitAgglomerative(X, { k: 3, linkage: 'average' }),
      fitGmm(X, { k: 3, covariance: 'diag' }),
    ];
    for (const model of models) {
      const loaded = loadClusterModel(JSON.parse(JSON.stringify(model)));
      assert.equal(loaded.algorithm, model.algorithm);
      assert.equal(loaded.k, model.k);
      assert.deepEqual(loaded.predict(X), model.predict(X), model.algorithm);
    }
    assert.throws(
      () => loadClusterModel({ format: 'cairn-pca' }),
      /loadClusterModel: 'format' is "cairn-pca"; expected one of/,
    );
  });
});
