import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadClusterData, SKLEARN } from '../../../test/cluster-data.js';
import { fitPca, PcaModel } from './pca.js';
import { symmetricEigen } from './symmetric-eigen.js';

const close = (a: number, b: number, tolerance: number, what = '') =>
  assert.ok(Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)), `${what} ${a} vs ${b}`);

describe('PCA', () => {
  it('wine: variances, ratios, components and scores equal scikit-learn to 1e-8', async () => {
    const { X } = await loadClusterData('wine');
    const ref = SKLEARN.pca.wine;
    const model = fitPca(X, { nComponents: 4 });
    model.explainedVariance.forEach((v, c) => close(v, ref.explained_variance[c], 1e-8, 'variance'));
    model.explainedVarianceRatio.forEach((v, c) => close(v, ref.explained_variance_ratio[c], 1e-8, 'ratio'));
    const components = model.components;
    ref.components.forEach((row, c) => row.forEach((v, j) => close(components[c * 13 + j], v, 1e-8, 'axis')));
    const Z = model.transform(X);
    assert.deepEqual(Z.names, ['pc1', 'pc2', 'pc3', 'pc4']);
    ref.transform_first3.forEach((row, i) =>
      row.forEach((v, c) => close(Z.data[c * X.rows + i], v, 1e-8, 'score')),
    );
    const W = fitPca(X, { nComponents: 4, whiten: true }).transform(X);
    ref.whiten_first3.forEach((row, i) =>
      row.forEach((v, c) => close(W.data[c * X.rows + i], v, 1e-8, 'white')),
    );
  });

  it('a fraction keeps the fewest components reaching it (0.95 → 10 on wine, as scikit-learn)', async () => {
    const { X } = await loadClusterData('wine');
    assert.equal(fitPca(X, { nComponents: 0.95 }).nComponents, SKLEARN.pca.wine.n_components_95);
  });

  it('all components reconstruct the rows; JSON reloads to the same projection', async () => {
    const { X } = await loadClusterData('breast_cancer');
    const model = fitPca(X, { whiten: true });
    assert.equal(model.nComponents, 30);
    const back = model.inverseTransform(model.transform(X));
    for (let t = 0; t < X.data.length; t++) close(back.data[t], X.data[t], 1e-9);
    const loaded = PcaModel.fromJSON(JSON.parse(JSON.stringify(model)));
    assert.deepEqual(loaded.transform(X), model.transform(X));
    assert.throws(() => fitPca(X, { nComponents: 31 }), /fitPca: 'nComponents' is 31/);
    assert.throws(() => fitPca(X, { nComponents: 2.5 }), /expected an integer in \[1, 30\] or a fraction/);
  });
});

describe('Jacobi eigen-decomposition', () => {
  it('A v = λ v for every pair, values descending, vectors orthonormal', () => {
    const d = 5;
    const A = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) A[i * d + j] = A[j * d + i] = Math.sin(i * 7 + j * 3) + (i === j ? 3 : 0);
    const { values, vectors } = symmetricEigen(A, d);
    for (let c = 0; c < d; c++) {
      if (c > 0) assert.ok(values[c] <= values[c - 1]);
      for (let i = 0; i < d; i++) {
        let Av = 0;
        for (let j = 0; j < d; j++) Av += A[i * d + j] * vectors[c * d + j];
        close(Av, values[c] * vectors[c * d + i], 1e-12);
      }
      for (let o = 0; o < d; o++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += vectors[c * d + j] * vectors[o * d + j];
        close(dot, c === o ? 1 : 0, 1e-12);
      }
    }
  });
});
