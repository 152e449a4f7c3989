import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadHoldout } from '../../../test/ml-data.js';
import {
  caseLabel,
  coefficientError,
  fixtureTestRows,
  interceptError,
  referenceCases,
  rmse,
  SKLEARN_VERSION,
} from '../../../test/fixtures/linear/reference.js';
import { featureMatrix } from '../matrix.js';
import { fitLinear, LinearModel, type LinearParams } from './linear.js';

/**
 * Linear regression against scikit-learn on California housing (categorical ocean_proximity, 207
 * missing total_bedrooms), same rows and encodings. Tolerances on the standardised coefficients,
 * relative to the largest: OLS and ridge 1e-8 (normal equations; measured ≤ 6e-11), lasso and elastic
 * net 1e-6 (coordinate descent to tol 1e-10; measured ≤ 3e-9). OLS is rank deficient here — the
 * one-hot columns sum to the intercept — and, like sklearn's lstsq, returns the minimum-norm solution.
 */
const TOLERANCE: Record<string, number> = { none: 1e-8, l2: 1e-8, l1: 1e-6, elasticnet: 1e-6 };
/** RMSE ceilings on the held-out rows, in dollars (sklearn: 68,632 OLS … 70,882 ridge). */
const CEILINGS: Record<string, number> = { none: 68_700, l2: 71_000, l1: 69_600, elasticnet: 69_900 };

test('california: the seeded split is the one the reference was computed on', async () => {
  const { split } = await loadHoldout('california');
  assert.deepEqual(Array.from(split.test), fixtureTestRows('california'));
});

for (const c of referenceCases('linear', ['california'])) {
  test(`${caseLabel(c)} matches scikit-learn ${SKLEARN_VERSION}`, async () => {
    const { train, test: held } = await loadHoldout(c.dataset);
    const model = fitLinear(train.X, train.y, {
      ...(c.params as LinearParams),
      tol: 1e-10,
      maxIter: 100_000,
    });
    assert.ok(model.info.converged, JSON.stringify(model.info));
    const expectedMethod = { none: 'eigen', l2: 'cholesky' }[c.params.penalty] ?? 'coordinate-descent';
    assert.equal(model.info.method, expectedMethod);
    if (c.params.penalty === 'none')
      assert.equal(model.info.rank, 12, '13 columns, one-hot block ∥ intercept');
    const error = coefficientError(model.coefficients, c);
    assert.ok(error <= TOLERANCE[c.params.penalty], `coefficients differ by ${error.toExponential(2)}`);
    assert.ok(interceptError([model.intercept], c) <= TOLERANCE[c.params.penalty]);

    const predictions = model.predict(held.X);
    c.sklearn.testPredictions!.forEach((p, i) => {
      assert.ok(Math.abs(predictions[i] - p) <= 1e-6 * Math.abs(p), `row ${i}: ${predictions[i]} vs ${p}`);
    });
    const error2 = rmse(held.y, predictions);
    assert.ok(Math.abs(error2 - c.sklearn.metrics.rmse!) <= 1e-6 * c.sklearn.metrics.rmse!);
    assert.ok(error2 <= CEILINGS[c.params.penalty], `RMSE ${error2}`);
  });
}

test('the lasso zeroes coefficients and a larger alpha zeroes more', async () => {
  const { train } = await loadHoldout('california');
  const zeros = (alpha: number) =>
    fitLinear(train.X, train.y, { penalty: 'l1', alpha }).coefficients.filter((v) => v === 0).length;
  assert.ok(zeros(10_000) > zeros(1000));
  assert.equal(zeros(1e7), train.X.cols - 1 + 5, 'every coefficient is 0 when alpha is huge');
});

test('fits are deterministic and JSON round trips predict bit for bit', async () => {
  const { train, test: held } = await loadHoldout('california');
  for (const params of [
    { penalty: 'none' },
    { penalty: 'l2', alpha: 0.01 },
    { penalty: 'l1', alpha: 500 },
  ] as LinearParams[]) {
    const a = fitLinear(train.X, train.y, params);
    assert.deepEqual(fitLinear(train.X, train.y, params).coefficients, a.coefficients);
    const text = JSON.stringify(a);
    const json = JSON.parse(text) as { format: string; version: number };
    assert.equal(json.format, 'cairn-linear');
    assert.equal(json.version, 1);
    const loaded = LinearModel.fromJSON(json);
    assert.deepEqual(loaded.predict(held.X), a.predict(held.X));
    assert.equal(JSON.stringify(loaded), text);
  }
});

test('coefficients are in the original scale and names follow the one-hot expansion', async () => {
  const { train } = await loadHoldout('california');
  const model = fitLinear(train.X, train.y);
  assert.deepEqual(model.featureNames.slice(-6), [
    'median_income',
    'ocean_proximity=0',
    'ocean_proximity=1',
    'ocean_proximity=2',
    'ocean_proximity=3',
    'ocean_proximity=4',
  ]);
  // Prediction is intercept + Σ coefficient · raw value (a row without missing values).
  const row = 0;
  const coef = model.coefficients;
  let expected = model.intercept;
  for (let j = 0; j < 8; j++) expected += coef[j] * train.X.data[j * train.X.rows + row];
  expected += coef[8 + train.X.data[8 * train.X.rows + row]];
  const one = {
    ...train.X,
    rows: 1,
    data: Float64Array.from({ length: 9 }, (_, j) => train.X.data[j * train.X.rows + row]),
  };
  assert.ok(Math.abs(model.predict(one)[0] - expected) <= 1e-9 * Math.abs(expected));
});

test('without an intercept the fit goes through the origin', () => {
  const x = Float64Array.from({ length: 50 }, (_, i) => i + 10);
  const y = x.map((v, i) => 3 * v + (i % 2 === 0 ? 0.5 : -0.5));
  const X = featureMatrix([x], ['x']);
  const model = fitLinear(X, y, { fitIntercept: false });
  assert.equal(model.intercept, 0);
  let xy = 0;
  let xx = 0;
  for (let i = 0; i < 50; i++) {
    xy += x[i] * y[i];
    xx += x[i] * x[i];
  }
  assert.ok(Math.abs(model.coefficients[0] - xy / xx) < 1e-12);
  const lasso = fitLinear(X, y, { penalty: 'l1', alpha: 0.1, fitIntercept: false, tol: 1e-12 });
  assert.equal(lasso.intercept, 0);
  assert.ok(lasso.coefficients[0] < xy / xx && lasso.coefficients[0] > 2.9);
});
