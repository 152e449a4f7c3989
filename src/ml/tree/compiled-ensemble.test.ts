import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadHoldout } from '../../../test/ml-data.js';
import { CompiledEnsemble } from './compiled-ensemble.js';
import { predictMargin, type TreeEnsemble } from './ensemble.js';
import { fitGbdt } from './gbdt.js';

test('flattened trees give the same margins as the Tree format, shallow (perfect layout) and deep (linked)', async () => {
  const { train, test: held } = await loadHoldout('telco');
  for (const params of [
    { maxDepth: 6 },
    { maxDepth: 14, minChildWeight: 0 },
    { maxLeaves: 40, maxDepth: 0 },
  ]) {
    const model = fitGbdt(train.X, train.y, { nEstimators: 30, earlyStoppingRounds: 0, ...params });
    const compiled = new CompiledEnsemble(model.ensemble);
    assert.deepEqual(
      compiled.predictMargins(held.X),
      predictMargin(model.ensemble, held.X),
      JSON.stringify(params),
    );
  }
});

test('a category code that is negative, not whole or past the count is missing; NaN follows the default', () => {
  // One tree: feature 0 categorical (3 codes), codes {1} left, missing right.
  const ensemble: TreeEnsemble = {
    objective: 'regression',
    outputs: 1,
    baseMargin: Float64Array.of(0),
    treeOutput: Int32Array.of(0),
    featureNames: ['c'],
    categoryCounts: Int32Array.of(3),
    trees: [
      {
        left: Int32Array.of(1, -1, -1),
        right: Int32Array.of(2, -1, -1),
        feature: Int32Array.of(0, -1, -1),
        threshold: Float64Array.of(0, 0, 0),
        defaultLeft: Uint8Array.of(0, 0, 0),
        catOffsets: Int32Array.of(0, 1, 1, 1),
        catCodes: Int32Array.of(1),
        value: Float64Array.of(0, 10, 20),
        cover: Float64Array.of(3, 1, 2),
        gain: Float64Array.of(1, 0, 0),
      },
    ],
  };
  const compiled = new CompiledEnsemble(ensemble);
  const values = [1, 0, 2, NaN, -1, 1.5, 3, 40];
  const expected = [10, 20, 20, 20, 20, 20, 20, 20];
  values.forEach((x, i) =>
    assert.equal(compiled.predictRowMargins(Float64Array.of(x))[0], expected[i], `x = ${x}`),
  );
  const left = { ...ensemble, trees: [{ ...ensemble.trees[0], defaultLeft: Uint8Array.of(1, 0, 0) }] };
  const compiledLeft = new CompiledEnsemble(left);
  for (const x of [NaN, -1, 1.5, 3, 40])
    assert.equal(compiledLeft.predictRowMargins(Float64Array.of(x))[0], 10, `x = ${x}`);
  assert.equal(compiledLeft.predictRowMargins(Float64Array.of(2))[0], 20);
});
