import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CairnError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import { loadHoldout } from '../../../test/ml-data.js';
import { rowOf } from '../../ml/matrix.js';
import { decisionTreeAlgorithm, randomForestAlgorithm } from './forest.js';

test('random_forest and decision_tree fit from snake_case params, explain, and load', async () => {
  const { train, test: held } = await loadHoldout('breast_cancer');
  for (const algorithm of [randomForestAlgorithm, decisionTreeAlgorithm]) {
    const params =
      algorithm === randomForestAlgorithm
        ? { n_estimators: 5, max_features: 'sqrt', max_depth: null }
        : { max_depth: 3 };
    const estimator = await algorithm.fit({
      task: 'binary',
      X: train.X,
      y: train.y,
      classes: 2,
      params,
      random: new Random(1),
    });
    assert.equal(estimator.algorithm, algorithm.name);
    const p = estimator.predict(held.X);
    const loaded = algorithm.load(JSON.parse(JSON.stringify(estimator.toJSON())), 'binary');
    assert.deepEqual(loaded.predict(held.X), p);
    const phi = estimator.explain!(rowOf(held.X, 0));
    const sum = phi.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum - p[0]) < 1e-9, `SHAP sum ${sum} vs ${p[0]}`);
    assert.equal(estimator.importance!().length, train.X.cols);
  }
  assert.throws(
    () =>
      decisionTreeAlgorithm.fit({
        task: 'binary',
        X: train.X,
        y: train.y,
        classes: 2,
        params: { n_estimators: 3 },
        random: new Random(1),
      }),
    (e: unknown) =>
      e instanceof CairnError && /params.n_estimators is not a parameter of decision_tree/.test(e.message),
  );
});
