import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadHoldout, type DatasetName } from '../../../test/ml-data.js';
import {
  accuracy,
  auc,
  caseLabel,
  coefficientError,
  fixtureTestRows,
  interceptError,
  logLoss,
  referenceCases,
  SKLEARN_VERSION,
} from '../../../test/fixtures/linear/reference.js';
import { takeRows } from '../matrix.js';
import { fitLogistic, LogisticModel, type LogisticParams } from './logistic.js';

/**
 * Binary logistic regression against scikit-learn on real data (breast cancer; Telco churn, with
 * categorical features and missing TotalCharges), same rows and encodings (test/fixtures/linear).
 * Tolerances on the standardised coefficients, relative to the largest: L2 1e-5 — L-BFGS stops where
 * the loss stops changing in double precision, 4e-6 from sklearn's Newton solution on Telco's
 * collinear one-hot columns (sklearn's own lbfgs is 1e-4 to 1e-3 away); L1 and elastic net 1e-6
 * (measured ≤ 3e-10; sklearn's saga checked against an independent solver to 3e-8).
 */
const BINARY: DatasetName[] = ['breast_cancer', 'telco'];
const TOLERANCE: Record<string, number> = { l2: 1e-5, l1: 1e-6, elasticnet: 1e-6 };
/** Floors for the held-out split (sklearn scores the same or within a row of it). */
const FLOORS: Record<string, { accuracy: number; auc: number }> = {
  breast_cancer: { accuracy: 0.97, auc: 0.998 },
  telco: { accuracy: 0.8, auc: 0.838 },
};

for (const dataset of BINARY) {
  test(`${dataset}: the seeded stratified split is the one the reference was computed on`, async () => {
    const { split } = await loadHoldout(dataset);
    assert.deepEqual(Array.from(split.test), fixtureTestRows(dataset));
  });
}

for (const c of referenceCases('logistic', BINARY)) {
  test(`${caseLabel(c)} matches scikit-learn ${SKLEARN_VERSION}`, async () => {
    const { train, test: held } = await loadHoldout(c.dataset);
    const model = fitLogistic(train.X, train.y, { ...(c.params as LogisticParams), tol: 1e-10 });
    assert.ok(model.info.converged, JSON.stringify(model.info));
    assert.equal(model.multinomial, false);
    const error = coefficientError(model.coefficients, c);
    assert.ok(error <= TOLERANCE[c.params.penalty], `coefficients differ by ${error.toExponential(2)}`);
    assert.ok(interceptError(model.intercepts, c) <= TOLERANCE[c.params.penalty]);

    const proba = model.predictProba(held.X);
    c.sklearn.testProba!.forEach((p, i) =>
      assert.ok(Math.abs(proba[i] - p) < 1e-5, `row ${i}: ${proba[i]} vs ${p}`),
    );
    const metrics = {
      accuracy: accuracy(held.y, model.predictClass(held.X)),
      auc: auc(
        Array.from(held.y, (v) => v === 1),
        proba,
      ),
      logLoss: logLoss(held.y, proba, 2),
    };
    assert.ok(Math.abs(metrics.accuracy - c.sklearn.metrics.accuracy!) <= 1.01 / held.y.length);
    assert.ok(Math.abs(metrics.auc - c.sklearn.metrics.auc!) < 1e-4);
    assert.ok(Math.abs(metrics.logLoss - c.sklearn.metrics.logLoss!) < 1e-5);
    if (c.params.penalty === 'l2' && c.params.classWeights === undefined) {
      assert.ok(metrics.accuracy >= FLOORS[c.dataset].accuracy, `accuracy ${metrics.accuracy}`);
      assert.ok(metrics.auc >= FLOORS[c.dataset].auc, `AUC ${metrics.auc}`);
    }
  });
}

test('L1 zeroes coefficients and a smaller C zeroes more', async () => {
  const { train } = await loadHoldout('breast_cancer');
  const zeros = (C: number) =>
    fitLogistic(train.X, train.y, { penalty: 'l1', C }).coefficients.filter((v) => v === 0).length;
  const strong = zeros(0.05);
  const weak = zeros(1);
  assert.ok(strong > weak && weak >= 0 && strong >= 20, `${strong} vs ${weak} zero coefficients`);
});

test('the unpenalised fit has the lowest training loss', async () => {
  const { train } = await loadHoldout('telco');
  const loss = (params: LogisticParams) => {
    const model = fitLogistic(train.X, train.y, params);
    return logLoss(train.y, model.predictProba(train.X), 2);
  };
  const none = loss({ penalty: 'none' });
  assert.ok(none < loss({ penalty: 'l2', C: 0.01 }));
  assert.ok(none <= loss({ penalty: 'l2', C: 100 }) + 1e-9);
});

test('integer sample weights fit the same model as repeated rows', async () => {
  const { train } = await loadHoldout('breast_cancer');
  const weights = Float64Array.from(train.y, (_, i) => 1 + (i % 3));
  const repeated = Array.from(weights).flatMap((w, i) => Array<number>(w).fill(i));
  const weighted = fitLogistic(train.X, train.y, { tol: 1e-10 }, { weights });
  const expanded = fitLogistic(
    takeRows(train.X, repeated),
    Float64Array.from(repeated, (i) => train.y[i]),
    { tol: 1e-10 },
  );
  // Standardisation weights its means and spreads too, so the two problems are the same.
  const a = weighted.coefficients;
  const b = expanded.coefficients;
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i] - b[i]) <= 1e-6 * Math.max(1, Math.abs(b[i])), `${i}`);
});

test('fits are deterministic and JSON round trips predict bit for bit', async () => {
  for (const [dataset, params] of [
    ['telco', { penalty: 'l2' }],
    ['breast_cancer', { penalty: 'elasticnet', C: 0.1 }],
  ] as const) {
    const { train, test: held } = await loadHoldout(dataset);
    const a = fitLogistic(train.X, train.y, params);
    const b = fitLogistic(train.X, train.y, params);
    assert.deepEqual(a.coefficients, b.coefficients);
    const text = JSON.stringify(a);
    const json = JSON.parse(text) as { format: string; version: number };
    assert.equal(json.format, 'cairn-logistic');
    assert.equal(json.version, 1);
    const loaded = LogisticModel.fromJSON(json);
    assert.deepEqual(loaded.predictProba(held.X), a.predictProba(held.X));
    assert.deepEqual(loaded.predictMargin(held.X), a.predictMargin(held.X));
    assert.equal(JSON.stringify(loaded), text);
  }
});

test('missing values take the training mean and unseen categories contribute nothing', async () => {
  const { train } = await loadHoldout('telco');
  const model = fitLogistic(train.X, train.y);
  const names = model.featureNames;
  const coef = model.coefficients;
  const one = takeRows(train.X, [0]);
  const total = train.X.names.indexOf('TotalCharges');
  const contract = train.X.names.indexOf('Contract');
  const base = model.predictMargin(one)[0];

  const missing = { ...one, data: Float64Array.from(one.data) };
  missing.data[total] = NaN;
  let mean = 0;
  let count = 0;
  for (let i = 0; i < train.X.rows; i++) {
    const v = train.X.data[total * train.X.rows + i];
    if (Number.isNaN(v)) continue;
    mean += v;
    count++;
  }
  mean /= count;
  const expected = base + coef[names.indexOf('TotalCharges')] * (mean - one.data[total]);
  assert.ok(Math.abs(model.predictMargin(missing)[0] - expected) < 1e-9);

  const unseen = { ...one, data: Float64Array.from(one.data) };
  unseen.data[contract] = 99;
  const code = one.data[contract];
  const dropped = base - coef[names.indexOf(`Contract=${code}`)];
  assert.ok(Math.abs(model.predictMargin(unseen)[0] - dropped) < 1e-9);
});
