import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CairnError } from '../../core/errors.js';
import { loadHoldout } from '../../../test/ml-data.js';
import { featureMatrix, rowOf } from '../matrix.js';
import { argmaxRows } from '../metrics/multiclass.js';
import { rocAuc } from '../metrics/ranking.js';
import { r2, rmse } from '../metrics/regression.js';
import { fitDecisionTree, fitRandomForest, RandomForestModel, type ForestJson } from './forest.js';
import { treeShapExplainer } from './shap.js';

/**
 * Floors on the fixed splits of test/ml-data.ts (loadHoldout: 25 % test, seed 42). The scikit-learn
 * figures are RandomForest*(n_estimators as here, oob_score=True) with random_state 0..4 (mean),
 * on the same rows, missing values imputed by the training median and strings as sorted ordinal
 * codes (sklearn 1.2 handles neither); DecisionTree* with random_state 0.
 */

/** P(class 1) > 0.5, or each row's arg max. */
function accuracy(y: Float64Array, p: Float64Array, K: number): number {
  const labels = K === 1 ? Int32Array.from(p, (q) => (q > 0.5 ? 1 : 0)) : argmaxRows(p, K);
  let right = 0;
  for (let i = 0; i < y.length; i++) if (labels[i] === y[i]) right++;
  return right / y.length;
}

test('breast cancer: forest accuracy and AUC match scikit-learn; OOB tracks the test score', async () => {
  const { train, test: held } = await loadHoldout('breast_cancer');
  const model = fitRandomForest(train.X, train.y, { task: 'binary' });
  const p = model.predict(held.X);
  const acc = accuracy(held.y, p, 1);
  // ours 0.9859; sklearn 0.9746 (0.9648–0.9789)
  assert.ok(acc >= 0.965, `accuracy ${acc}`);
  // ours 0.9983; sklearn 0.9985 (0.9982–0.9989)
  assert.ok(rocAuc(held.y, p) >= 0.995, `AUC ${rocAuc(held.y, p)}`);
  // ours 0.9555; sklearn OOB 0.9541
  assert.ok(
    model.oobScore >= 0.94 && Math.abs(model.oobScore - acc) < 0.04,
    `OOB ${model.oobScore} vs ${acc}`,
  );
  assert.equal(model.oobPredictions!.length, train.X.rows);
  const importance = model.importance();
  assert.ok(Math.abs(importance.reduce((a, b) => a + b, 0) - 1) < 1e-12, 'importance sums to 1');
  const top = train.X.names[importance.indexOf(Math.max(...importance))];
  assert.match(top, /^worst|mean concave/, `most important feature ${top}`);
});

test('iris: multiclass probabilities sum to 1 and match scikit-learn accuracy', async () => {
  const { train, test: held } = await loadHoldout('iris');
  const model = fitRandomForest(train.X, train.y, { task: 'multiclass', numClass: 3 });
  const p = model.predict(held.X);
  assert.equal(p.length, held.X.rows * 3);
  for (let r = 0; r < held.X.rows; r++)
    assert.ok(Math.abs(p[3 * r] + p[3 * r + 1] + p[3 * r + 2] - 1) < 1e-12, `row ${r}`);
  // ours 0.9487 (one test row of 39 from sklearn); sklearn 0.9744 (every seed)
  assert.ok(accuracy(held.y, p, 3) >= 0.94, `accuracy ${accuracy(held.y, p, 3)}`);
  // ours 0.9550; sklearn OOB 0.9441
  assert.ok(model.oobScore >= 0.92, `OOB ${model.oobScore}`);
});

test('california housing (NaNs, a categorical): regression RMSE matches scikit-learn, OOB R² near test R²', async () => {
  const { train, test: held } = await loadHoldout('california');
  const model = fitRandomForest(train.X, train.y, { task: 'regression', nEstimators: 30 });
  const p = model.predict(held.X);
  const error = rmse(held.y, p);
  const score = r2(held.y, p);
  // ours 49,188 (R² 0.8173, OOB 0.8038); sklearn 30 trees 49,848 (R² 0.8124, OOB 0.7976); 100 trees 49,272
  assert.ok(error <= 50_500, `RMSE ${error}`);
  assert.ok(Math.abs(model.oobScore - score) < 0.03, `OOB R² ${model.oobScore} vs test ${score}`);
});

test('telco churn (categoricals, blanks): forest accuracy and AUC match scikit-learn', async () => {
  const { train, test: held } = await loadHoldout('telco');
  const model = fitRandomForest(train.X, train.y, { task: 'binary' });
  const p = model.predict(held.X);
  // ours 0.7910; sklearn 0.7949 (0.7933–0.7973)
  assert.ok(accuracy(held.y, p, 1) >= 0.78, `accuracy ${accuracy(held.y, p, 1)}`);
  // ours 0.8216; sklearn 0.8225 (0.8210–0.8254)
  assert.ok(rocAuc(held.y, p) >= 0.81, `AUC ${rocAuc(held.y, p)}`);
  // ours OOB 0.7921; sklearn OOB 0.7881
  assert.ok(Math.abs(model.oobScore - accuracy(held.y, p, 1)) < 0.03, `OOB ${model.oobScore}`);
});

test('decision tree learns; max depth 1 gives a stump', async () => {
  const { train, test: held } = await loadHoldout('breast_cancer');
  const tree = fitDecisionTree(train.X, train.y, { task: 'binary' });
  // ours 0.9718; sklearn 0.9507
  assert.ok(
    accuracy(held.y, tree.predict(held.X), 1) >= 0.92,
    `accuracy ${accuracy(held.y, tree.predict(held.X), 1)}`,
  );
  assert.equal(tree.oobScore, NaN);
  assert.equal(tree.oobPredictions, null);
  assert.equal(tree.ensemble.trees.length, 1);
  const stump = fitDecisionTree(train.X, train.y, { task: 'binary', maxDepth: 1 });
  const t = stump.ensemble.trees[0];
  assert.equal(t.left.length, 3);
  assert.deepEqual([t.left[1], t.left[2]], [-1, -1]);
  // Ours and sklearn's stump: 'worst perimeter' < 105.95, test accuracy 0.9155.
  assert.equal(train.X.names[t.feature[0]], 'worst perimeter');
  assert.ok(Math.abs(t.threshold[0] - 105.95) < 1e-9, `threshold ${t.threshold[0]}`);
  assert.ok(
    accuracy(held.y, stump.predict(held.X), 1) >= 0.91,
    `stump accuracy ${accuracy(held.y, stump.predict(held.X), 1)}`,
  );
});

test('the same seed gives the same forest; JSON round trip is bit-identical', async () => {
  const { train, test: held } = await loadHoldout('telco');
  const params = { task: 'binary', nEstimators: 10, seed: 7 } as const;
  const a = fitRandomForest(train.X, train.y, params);
  const b = fitRandomForest(train.X, train.y, params);
  const text = JSON.stringify(a.toJSON());
  assert.equal(JSON.stringify(b.toJSON()), text);
  assert.notEqual(JSON.stringify(fitRandomForest(train.X, train.y, { ...params, seed: 8 }).toJSON()), text);
  const loaded = RandomForestModel.fromJSON(JSON.parse(text) as ForestJson);
  assert.equal(JSON.stringify(loaded.toJSON()), text);
  assert.deepEqual(loaded.predict(held.X), a.predict(held.X));
  assert.equal(loaded.oobScore, a.oobScore);
});

test('TreeSHAP on the forest ensemble adds up to the prediction', async () => {
  const { train, test: held } = await loadHoldout('california');
  const model = fitRandomForest(train.X, train.y, { task: 'regression', nEstimators: 3, maxDepth: 8 });
  const explain = treeShapExplainer(model.ensemble);
  const p = model.predict(held.X);
  for (const r of [0, 1, 2]) {
    const phi = explain(rowOf(held.X, r));
    const sum = phi.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum - p[r]) < 1e-6 * Math.abs(p[r]), `row ${r}: ${sum} vs ${p[r]}`);
  }
});

test('out-of-bag scores skip rows that were never out of bag', () => {
  const X = featureMatrix([Float64Array.from({ length: 40 }, (_, i) => i)], ['x']);
  const y = Float64Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 1));
  const model = fitRandomForest(X, y, { task: 'binary', nEstimators: 1, seed: 3 });
  const oob = model.oobPredictions!;
  const never = oob.filter((v) => Number.isNaN(v)).length;
  assert.ok(never > 0 && never < 40, `${never} rows never out of bag`);
  // Out-of-bag rows between the in-sample rows nearest the class boundary may fall on either side.
  assert.ok(model.oobScore >= 0.75 && model.oobScore <= 1, `OOB ${model.oobScore}`);
});

test('bad input raises INVALID_ARGUMENT naming the argument', () => {
  const X = featureMatrix([Float64Array.of(1, 2, 3, 4)], ['x']);
  const invalid = (message: RegExp) => (e: unknown) =>
    e instanceof CairnError && e.code === 'INVALID_ARGUMENT' && message.test(e.message);
  assert.throws(
    () => fitRandomForest(X, Float64Array.of(0, 1, 0), { task: 'binary' }),
    invalid(/X has 4 rows but y has 3/),
  );
  assert.throws(
    () => fitRandomForest(X, Float64Array.of(0, 1, 2, 0), { task: 'binary' }),
    invalid(/label at row 2 is 2; task 'binary' needs 0 or 1/),
  );
  assert.throws(
    () => fitRandomForest(X, Float64Array.of(0, 1, 0, 1), { task: 'binary', maxFeatures: 1.5 }),
    invalid(/parameter 'maxFeatures' is 1.5/),
  );
  assert.throws(
    () => fitRandomForest(X, Float64Array.of(0, 1, 0, 1), { task: 'binary', nEstimators: 0 }),
    invalid(/'nEstimators' is 0/),
  );
  assert.throws(
    () => fitRandomForest(X, Float64Array.of(0, 1, 0, 1), { task: 'ranking' as 'binary' }),
    invalid(/'task' is ranking/),
  );
  const model = fitDecisionTree(X, Float64Array.of(0, 1, 0, 1), { task: 'binary' });
  assert.throws(
    () => model.predict(featureMatrix([X.data, X.data], ['x', 'z'])),
    invalid(/predict got 2 features/),
  );
  assert.throws(
    () => RandomForestModel.fromJSON({ format: 'cairn-gbdt' } as unknown as ForestJson),
    invalid(/lacks format 'cairn-forest'/),
  );
});
