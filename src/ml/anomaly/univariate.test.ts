import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadCsv } from '../../../test/ml-data.js';
import { featureMatrix } from '../matrix.js';
import { rocAuc } from '../metrics/ranking.js';
import { fitIqrFences, fitRobustZScore, fitZScore, UnivariateModel } from './univariate.js';

/** References: test/fixtures/anomaly/make_anomaly_fixture.py (numpy on the same files). */
const FIXTURE = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/anomaly/sklearn-anomaly.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, number>>;

const FIT = { zscore: fitZScore, robust_zscore: fitRobustZScore, iqr: fitIqrFences };

for (const name of ['cardio', 'wbc', 'pima', 'glass']) {
  test(`${name}: z-score, robust z-score and IQR ROC-AUC equal numpy's to 1e-9`, async () => {
    const { X, y } = await loadCsv(`odds_${name}.csv`, { target: 'label_outlier' });
    for (const [algorithm, fit] of Object.entries(FIT)) {
      const auc = rocAuc(y, fit(X).score(X));
      const ref = FIXTURE[name][`${algorithm}_auc`];
      assert.ok(Math.abs(auc - ref) < 1e-9, `${algorithm}: ${auc} vs numpy ${ref}`);
    }
  });
}

test('floors: cardio z-score ≥ 0.93, robust ≥ 0.92, IQR ≥ 0.83; wbc all ≥ 0.92', async () => {
  const cardio = await loadCsv('odds_cardio.csv', { target: 'label_outlier' });
  const wbc = await loadCsv('odds_wbc.csv', { target: 'label_outlier' });
  const floors: [typeof cardio, keyof typeof FIT, number][] = [
    [cardio, 'zscore', 0.93],
    [cardio, 'robust_zscore', 0.92],
    [cardio, 'iqr', 0.83],
    [wbc, 'zscore', 0.92],
    [wbc, 'robust_zscore', 0.92],
    [wbc, 'iqr', 0.93],
  ];
  for (const [data, algorithm, floor] of floors) {
    const auc = rocAuc(data.y, FIT[algorithm](data.X).score(data.X));
    assert.ok(auc >= floor, `${algorithm}: ${auc} < ${floor}`);
  }
});

test('scores on a known column: |z|, modified z, and IQR distance beyond the box', () => {
  // values 1..9 and 100: mean 14.5, median 5.5, MAD 2.5, Q1 3.25, Q3 7.75
  const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100];
  const X = featureMatrix([values], ['v']);
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - 14.5) ** 2, 0) / 10);
  const z = fitZScore(X).score(X);
  assert.ok(Math.abs(z[9] - 85.5 / sd) < 1e-12);
  const robust = fitRobustZScore(X).score(X);
  assert.ok(Math.abs(robust[9] - 94.5 / (1.482602218505602 * 2.5)) < 1e-12);
  const box = fitIqrFences(X);
  const s = box.score(X);
  assert.ok(Math.abs(s[9] - (100 - 7.75) / 4.5) < 1e-12);
  assert.ok(s[4] < 0, 'inside the box scores below 0');
  assert.deepEqual(Array.from(box.isAnomaly(X)), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
});

test('missing values and categorical features are skipped; default cuts; JSON round trip', () => {
  const X = featureMatrix(
    [
      [1, 2, NaN, 4, 50],
      [0, 1, 2, 1, 0],
    ],
    ['x', 'kind'],
    [0, 3],
  );
  const model = fitRobustZScore(X);
  assert.equal(model.threshold, 3.5);
  assert.equal(fitZScore(X).threshold, 3);
  assert.equal(fitIqrFences(X).threshold, 1.5);
  const scores = model.score(X);
  assert.equal(scores[2], -Infinity);
  assert.equal(model.isAnomaly(X)[2], 0);
  assert.equal(model.isAnomaly(X)[4], 1);
  const again = UnivariateModel.fromJSON(JSON.parse(JSON.stringify(model)));
  assert.deepEqual(again.score(X), scores);
  assert.throws(
    () => fitZScore(featureMatrix([[0, 1, 2]], ['kind'], [3])),
    /needs at least one numeric feature; all 1 \(kind\) are categorical/,
  );
});

test('a contamination rate flags that share of the training rows', async () => {
  const { X } = await loadCsv('odds_wbc.csv', { target: 'label_outlier' });
  const model = fitZScore(X, { threshold: { contamination: 0.05 } });
  const flagged = model.isAnomaly(X).reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(flagged - 0.05 * X.rows) <= 1, `${flagged}`);
});
