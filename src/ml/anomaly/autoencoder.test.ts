import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCsv } from '../../../test/ml-data.js';
import { Random } from '../../core/random.js';
import { takeRows } from '../matrix.js';
import { rocAuc } from '../metrics/ranking.js';
import { AutoencoderModel, fitAutoencoder } from './autoencoder.js';

// scikit-learn has no autoencoder detector; these floors are ours (defaults, seed 42), a little
// under the measured ROC-AUC: cardio 0.850, wbc 0.923, pima 0.656, glass 0.591.
for (const [name, floor] of [
  ['cardio', 0.83],
  ['wbc', 0.9],
  ['pima', 0.63],
  ['glass', 0.56],
] as const) {
  test(`${name}: reconstruction-error ROC-AUC ≥ ${floor}`, async () => {
    const { X, y } = await loadCsv(`odds_${name}.csv`, { target: 'label_outlier' });
    const model = fitAutoencoder(X);
    const auc = rocAuc(y, model.score(X));
    assert.ok(auc >= floor, `${auc}`);
    assert.ok(model.losses.at(-1)! < model.losses[0], 'training loss falls');
  });
}

test('ReLU, float64 and explicit layers train too; same seed → same scores; JSON round trip', async () => {
  const { X, y } = await loadCsv('odds_wbc.csv', { target: 'label_outlier' });
  const params = { activation: 'relu', precision: 'float64', hidden: [12, 4, 12], epochs: 30 } as const;
  const a = fitAutoencoder(X, params);
  const b = fitAutoencoder(X, params);
  assert.deepEqual(a.score(X), b.score(X));
  assert.notDeepEqual(fitAutoencoder(X, { ...params, seed: 1 }).score(X), a.score(X));
  assert.ok(rocAuc(y, a.score(X)) >= 0.85, `${rocAuc(y, a.score(X))}`);
  for (const model of [a, fitAutoencoder(X, { epochs: 5 })]) {
    const again = AutoencoderModel.fromJSON(JSON.parse(JSON.stringify(model)));
    assert.deepEqual(again.score(X), model.score(X));
    assert.equal(again.threshold, model.threshold);
  }
});

test('novelty: trained on inliers only, held-out outliers score higher (wbc AUC ≥ 0.9)', async () => {
  const { X, y } = await loadCsv('odds_wbc.csv', { target: 'label_outlier' });
  const inliers = Array.from({ length: X.rows }, (_, i) => i).filter((i) => y[i] === 0);
  new Random(2).shuffle(inliers);
  const train = new Set(inliers.slice(0, 200));
  const held = Array.from({ length: X.rows }, (_, i) => i).filter((i) => !train.has(i));
  const model = fitAutoencoder(takeRows(X, [...train]));
  const auc = rocAuc(
    held.map((i) => y[i]),
    model.score(takeRows(X, held)),
  );
  assert.ok(auc >= 0.9, `${auc}`);
});

test('default threshold flags 5 % of the training rows; bad parameters are refused', async () => {
  const { X } = await loadCsv('odds_glass.csv', { target: 'label_outlier' });
  const model = fitAutoencoder(X, { epochs: 5 });
  const flagged = model.isAnomaly(X).reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(flagged - 0.05 * X.rows) <= 1, `${flagged}`);
  assert.throws(
    () => fitAutoencoder(X, { activation: 'sigmoid' as 'relu' }),
    /activation must be 'relu' or 'tanh'/,
  );
  assert.throws(() => fitAutoencoder(X, { hidden: [4, 0, 4] }), /hidden\[1\] must be an integer/);
});
