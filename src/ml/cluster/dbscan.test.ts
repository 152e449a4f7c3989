import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadClusterData, SKLEARN } from '../../../test/cluster-data.js';
import { takeRows } from '../matrix.js';
import { adjustedRandIndex } from '../metrics/cluster-agreement.js';
import { DbscanModel, fitDbscan } from './dbscan.js';
import { KdTree } from './kd-tree.js';
import { squaredDistance, toPoints } from './points.js';
import { suggestEps } from './suggest-eps.js';

describe('DBSCAN', () => {
  for (const name of ['iris', 'wine'] as const) {
    it(`${name}: the same labels as scikit-learn (ARI between the two = 1)`, async () => {
      const { X, y } = await loadClusterData(name);
      const ref = SKLEARN.dbscan[name];
      const model = fitDbscan(X, { eps: ref.eps, minSamples: ref.min_samples });
      assert.equal(adjustedRandIndex(model.labels, ref.labels), 1);
      assert.deepEqual(
        Array.from(model.labels, (v) => v < 0),
        ref.labels.map((v) => v < 0),
      );
      assert.ok(Math.abs(adjustedRandIndex(y, model.labels) - ref.ari) < 1e-9);
    });
  }

  it('predict: training core rows keep their cluster, far rows are noise; JSON reloads', async () => {
    const { X } = await loadClusterData('iris');
    const model = fitDbscan(X, { eps: 0.8, minSamples: 5 });
    const labels = model.labels;
    const predicted = model.predict(X);
    let agree = 0;
    for (let i = 0; i < X.rows; i++) if (predicted[i] === labels[i]) agree++;
    // Only border rows reachable from two clusters may differ.
    assert.ok(agree >= X.rows - 2, `${agree} of ${X.rows} agree`);
    const far = takeRows(X, [0]);
    const shifted = { ...far, data: Float64Array.from(far.data, (v) => v + 100) };
    assert.deepEqual(Array.from(model.predict(shifted)), [-1]);
    const loaded = DbscanModel.fromJSON(JSON.parse(JSON.stringify(model)));
    assert.deepEqual(loaded.predict(X), predicted);
    assert.deepEqual(loaded.labels, labels);
    assert.equal(loaded.k, model.k);
  });

  it('suggestEps: the k-distance knee on iris gives two dense groups and under 10% noise', async () => {
    const { X, y } = await loadClusterData('iris');
    const suggestion = suggestEps(X, { minSamples: 5 });
    assert.equal(suggestion.k, 4);
    assert.ok(suggestion.eps > 0.5 && suggestion.eps < 1.0, `eps ${suggestion.eps}`);
    assert.equal(suggestion.kDistances.length, 150);
    const model = fitDbscan(X, { eps: suggestion.eps, minSamples: 5 });
    assert.equal(model.k, 2);
    assert.ok(model.labels.filter((v) => v < 0).length < 15);
    assert.ok(adjustedRandIndex(y, model.labels) >= 0.5);
  });

  it('refuses a non-positive eps', async () => {
    const { X } = await loadClusterData('iris');
    assert.throws(() => fitDbscan(X, { eps: 0 }), /fitDbscan: 'eps' is 0; expected a number > 0/);
  });
});

describe('k-d tree', () => {
  it('answers radius and nearest-neighbour queries exactly as a full scan does', async () => {
    const { X } = await loadClusterData('wine');
    const P = toPoints(X, 'test');
    const tree = KdTree.build(P, 4);
    const index = new Int32Array(7);
    const distance = new Float64Array(7);
    for (const i of [0, 17, 90, 177]) {
      const all = Array.from({ length: P.n }, (_, j) => squaredDistance(P.data, i, P.data, j, P.d));
      const within: number[] = [];
      tree.radius(P.data, i * P.d, 6, (j) => within.push(j));
      assert.deepEqual(
        within.sort((a, b) => a - b),
        all.flatMap((v, j) => (v <= 6 ? [j] : [])),
      );
      tree.nearest(P.data, i * P.d, 7, index, distance, i);
      const expected = all
        .map((v, j) => [v, j])
        .filter(([, j]) => j !== i)
        .sort((a, b) => a[0] - b[0])
        .slice(0, 7);
      expected.forEach(([v], t) =>
        assert.ok(Math.abs(distance[t] - v) <= 1e-12 * v, `neighbour ${t} of ${i}`),
      );
    }
  });
});
