import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadClusterData, SKLEARN } from '../../../test/cluster-data.js';
import { adjustedRandIndex } from '../metrics/cluster-agreement.js';
import { AgglomerativeModel, fitAgglomerative } from './agglomerative.js';
import { centroidWardLinkage, cutTree, matrixLinkage } from './linkage.js';
import { toPoints } from './points.js';

const LINKAGES = ['ward', 'complete', 'average', 'single'] as const;

describe('agglomerative clustering', () => {
  for (const name of ['iris', 'wine'] as const) {
    for (const linkage of LINKAGES) {
      it(`${name} ${linkage}: merge heights equal scipy's to 1e-9, ARI equals scikit-learn's`, async () => {
        const { X, y } = await loadClusterData(name);
        const ref = SKLEARN.agglomerative[name][linkage];
        const k = SKLEARN.kmeans[name].k;
        const model = fitAgglomerative(X, { k, linkage });
        const tree = model.tree;
        assert.equal(tree.length, (X.rows - 1) * 4);
        ref.heights.forEach((h, t) => assert.ok(Math.abs(tree[t * 4 + 2] - h) < 1e-9, `merge ${t}`));
        assert.equal(tree[tree.length - 1], X.rows);
        assert.ok(Math.abs(adjustedRandIndex(y, model.labels) - ref.ari) < 1e-9);
      });
    }
  }

  it('the centroid Ward chain builds the same tree as the matrix chain', async () => {
    const { X } = await loadClusterData('wine');
    const P = toPoints(X, 'test');
    const a = matrixLinkage(P, 'ward');
    const b = centroidWardLinkage(P);
    for (let t = 0; t < a.length; t++) assert.ok(Math.abs(a[t] - b[t]) < 1e-9 * Math.max(1, Math.abs(a[t])));
    assert.deepEqual(cutTree(a, P.n, 3), cutTree(b, P.n, 3));
  });

  it('cuts one tree at any k, reloads from JSON, predicts new rows by nearest centroid', async () => {
    const { X } = await loadClusterData('iris');
    const model = fitAgglomerative(X, { k: 3 });
    assert.deepEqual(model.cut(3), model.labels);
    assert.equal(new Set(model.cut(5)).size, 5);
    const loaded = AgglomerativeModel.fromJSON(JSON.parse(JSON.stringify(model)));
    assert.deepEqual(loaded.predict(X), model.predict(X));
    assert.deepEqual(loaded.tree, model.tree);
    let agree = 0;
    const predicted = model.predict(X);
    model.labels.forEach((c, i) => (agree += c === predicted[i] ? 1 : 0));
    assert.ok(agree >= 140, `${agree} of 150 training rows keep their cluster`);
  });

  it('without k picks the best-silhouette cut: 3 wine cultivars', async () => {
    const { X } = await loadClusterData('wine');
    assert.equal(fitAgglomerative(X).k, 3);
  });

  it('above the size limit refuses with a way out, or samples when asked', async () => {
    const { X, y } = await loadClusterData('digits');
    assert.throws(
      () => fitAgglomerative(X, { k: 10, linkage: 'complete', maxRows: 1000 }),
      /fitAgglomerative: X has 1797 rows; complete linkage is limited to 1000 rows here. Pass sample: true/,
    );
    const sampled = fitAgglomerative(X, { k: 10, maxRows: 1000, sample: true });
    assert.equal(sampled.treeRows.length, 1000);
    assert.equal(sampled.labels.length, 1797);
    assert.ok(adjustedRandIndex(y, sampled.labels) >= 0.6);
  });
});
