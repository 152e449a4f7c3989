import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadClusterData, SKLEARN } from '../../../test/cluster-data.js';
import { adjustedRandIndex } from '../metrics/cluster-agreement.js';
import { fitGmm, GmmModel } from './gmm.js';

describe('Gaussian mixture', () => {
  it('iris full: ARI ≥ 0.90 and the log-likelihood and BIC of scikit-learn to 1e-3', async () => {
    const { X, y } = await loadClusterData('iris');
    const ref = SKLEARN.gmm.iris.full;
    const model = fitGmm(X, { k: 3 });
    assert.ok(adjustedRandIndex(y, model.predict(X)) >= 0.9);
    assert.ok(Math.abs(model.score(X) - ref.score) < 1e-3, `score ${model.score(X)} vs ${ref.score}`);
    assert.ok(Math.abs(model.bic(X) - ref.bic) / ref.bic < 1e-3);
  });

  it('iris diag and wine: ARI floors (0.80 iris diag, 0.85 wine) and log-likelihood within 0.15 of scikit-learn', async () => {
    const iris = await loadClusterData('iris');
    const diag = fitGmm(iris.X, { k: 3, covariance: 'diag' });
    assert.ok(adjustedRandIndex(iris.y, diag.predict(iris.X)) >= 0.8);
    assert.ok(diag.score(iris.X) >= SKLEARN.gmm.iris.diag.score - 0.15);
    const wine = await loadClusterData('wine');
    for (const covariance of ['full', 'diag'] as const) {
      const model = fitGmm(wine.X, { k: 3, covariance });
      assert.ok(adjustedRandIndex(wine.y, model.predict(wine.X)) >= 0.85, covariance);
      assert.ok(model.score(wine.X) >= SKLEARN.gmm.wine[covariance].score - 0.15, covariance);
    }
  });

  it('probabilities sum to 1; same seed same model; JSON reloads to the same clusters', async () => {
    const { X } = await loadClusterData('wine');
    const model = fitGmm(X, { k: 3, seed: 5 });
    const proba = model.predictProba(X);
    for (let i = 0; i < X.rows; i++) {
      const s = proba[i * 3] + proba[i * 3 + 1] + proba[i * 3 + 2];
      assert.ok(Math.abs(s - 1) < 1e-12);
    }
    assert.deepEqual(fitGmm(X, { k: 3, seed: 5 }).means, model.means);
    const loaded = GmmModel.fromJSON(JSON.parse(JSON.stringify(model)));
    assert.deepEqual(loaded.predict(X), model.predict(X));
    assert.deepEqual(loaded.predictProba(X), proba);
  });

  it('without k takes the lowest BIC over k = 1..10', async () => {
    const { X } = await loadClusterData('iris');
    const auto = fitGmm(X);
    for (const k of [1, 3, 4]) assert.ok(auto.bic(X) <= fitGmm(X, { k }).bic(X), `k ${k}`);
  });

  it('names the way out when a covariance is singular', async () => {
    const { X } = await loadClusterData('iris');
    const n = X.rows;
    // A duplicated feature makes every full covariance singular without regularisation.
    const data = new Float64Array(n * 5);
    data.set(X.data);
    data.set(X.data.subarray(0, n), 4 * n);
    const doubled = { ...X, cols: 5, data, names: [...X.names, 'copy'], categoryCounts: new Int32Array(5) };
    assert.throws(() => fitGmm(doubled, { k: 3, regularization: 0 }), /raise 'regularization' \(now 0\)/);
  });
});
