import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadHoldout, type DatasetName } from '../../../test/ml-data.js';
import {
  accuracy,
  aucOneVsRest,
  caseLabel,
  coefficientError,
  fixtureTestRows,
  interceptError,
  logLoss,
  referenceCases,
  SKLEARN_VERSION,
} from '../../../test/fixtures/linear/reference.js';
import { fitLogistic, LogisticModel, type LogisticParams } from './logistic.js';

/**
 * Multinomial (softmax) logistic regression against scikit-learn on iris and wine. L2 within 1e-5
 * relative (measured ≤ 2e-7), L1 / elastic net within 1e-6 (measured ≤ 6e-8). Intercepts are
 * compared centred (softmax ignores a common shift; both sides centre them).
 */
const MULTICLASS: DatasetName[] = ['iris', 'wine'];
const TOLERANCE: Record<string, number> = { l2: 1e-5, l1: 1e-6, elasticnet: 1e-6 };
const FLOORS: Record<string, number> = { iris: 0.94, wine: 0.95 };

for (const dataset of MULTICLASS) {
  test(`${dataset}: the seeded stratified split is the one the reference was computed on`, async () => {
    const { split } = await loadHoldout(dataset);
    assert.deepEqual(Array.from(split.test), fixtureTestRows(dataset));
  });
}

for (const c of referenceCases('logistic', MULTICLASS)) {
  test(`${caseLabel(c)} (multinomial) matches scikit-learn ${SKLEARN_VERSION}`, async () => {
    const { train, test: held } = await loadHoldout(c.dataset);
    const model = fitLogistic(train.X, train.y, { ...(c.params as LogisticParams), tol: 1e-10 });
    assert.ok(model.info.converged, JSON.stringify(model.info));
    assert.equal(model.multinomial, true);
    assert.equal(model.classes, 3);
    const error = coefficientError(model.coefficients, c);
    assert.ok(error <= TOLERANCE[c.params.penalty], `coefficients differ by ${error.toExponential(2)}`);
    const interceptDiff = interceptError(model.intercepts, c);
    assert.ok(interceptDiff <= 10 * TOLERANCE[c.params.penalty], `intercepts differ by ${interceptDiff}`);

    const proba = model.predictProba(held.X);
    assert.equal(proba.length, held.y.length * 3);
    for (let i = 0; i < held.y.length; i++) {
      const sum = proba[3 * i] + proba[3 * i + 1] + proba[3 * i + 2];
      assert.ok(Math.abs(sum - 1) < 1e-12);
    }
    c.sklearn.testProba!.forEach((p, i) => assert.ok(Math.abs(proba[i] - p) < 1e-5, `value ${i}`));
    const acc = accuracy(held.y, model.predictClass(held.X));
    assert.ok(Math.abs(acc - c.sklearn.metrics.accuracy!) <= 1.01 / held.y.length);
    assert.ok(acc >= FLOORS[c.dataset], `accuracy ${acc}`);
    assert.ok(Math.abs(aucOneVsRest(held.y, proba, 3) - c.sklearn.metrics.auc!) < 1e-4);
    assert.ok(Math.abs(logLoss(held.y, proba, 3) - c.sklearn.metrics.logLoss!) < 1e-5);
  });
}

test('softmax on two classes is the binary model with twice the C (L2 splits the weights ±w/2)', async () => {
  const { train, test: held } = await loadHoldout('breast_cancer');
  const softmax = fitLogistic(train.X, train.y, { C: 0.5, multiclass: 'multinomial', tol: 1e-10 });
  const binary = fitLogistic(train.X, train.y, { C: 1, tol: 1e-10 });
  assert.equal(softmax.multinomial, true);
  const two = softmax.predictProba(held.X);
  const one = binary.predictProba(held.X);
  for (let i = 0; i < one.length; i++) assert.ok(Math.abs(two[2 * i + 1] - one[i]) < 1e-6, `row ${i}`);
});

test('multinomial margins, JSON round trip and determinism', async () => {
  const { train, test: held } = await loadHoldout('wine');
  for (const params of [{ penalty: 'l2' }, { penalty: 'l1', C: 0.5 }] as LogisticParams[]) {
    const model = fitLogistic(train.X, train.y, params);
    assert.deepEqual(fitLogistic(train.X, train.y, params).coefficients, model.coefficients);
    const margins = model.predictMargin(held.X);
    const proba = model.predictProba(held.X);
    // Softmax of the margins is the probability, row by row.
    const row = margins.subarray(0, 3);
    const z = row.reduce((s, v) => s + Math.exp(v), 0);
    assert.ok(Math.abs(Math.exp(row[1]) / z - proba[1]) < 1e-12);
    assert.ok(Math.abs(model.intercepts.reduce((a, b) => a + b, 0)) < 1e-9);
    const loaded = LogisticModel.fromJSON(JSON.parse(JSON.stringify(model)));
    assert.deepEqual(loaded.predictProba(held.X), proba);
    assert.deepEqual(loaded.predictClass(held.X), model.predictClass(held.X));
  }
});
