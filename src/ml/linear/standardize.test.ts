import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featureMatrix } from '../matrix.js';
import { designWidth, expandedNames, linearPredictors } from './design.js';
import { columnStats, designMatrix, fitDesign, oneHotBlocks, toOriginalScale } from './standardize.js';

const X = featureMatrix(
  [
    [1, 2, NaN, 5],
    [7, 7, 7, 7],
    [0, 2, NaN, 9],
    [NaN, NaN, NaN, NaN],
  ],
  ['a', 'constant', 'city', 'empty'],
  [0, 0, 3, 0],
);

test('means and standard deviations ignore missing values and use ddof 0', () => {
  const { means, scales } = columnStats(X);
  assert.equal(means[0], 8 / 3);
  const variance = ((1 - 8 / 3) ** 2 + (2 - 8 / 3) ** 2 + (5 - 8 / 3) ** 2) / 3;
  assert.ok(Math.abs(scales[0] - Math.sqrt(variance)) < 1e-15);
  assert.deepEqual([means[1], scales[1]], [7, 1], 'a constant column gets scale 1');
  assert.deepEqual([means[2], scales[2]], [0, 1], 'categorical features are not standardised');
  assert.deepEqual([means[3], scales[3]], [0, 1], 'an all-missing column standardises to zeros');
  const weighted = columnStats(X, Float64Array.of(2, 1, 1, 1));
  assert.equal(weighted.means[0], (2 + 2 + 5) / 4);
});

test('the design matrix standardises numbers, imputes the mean and one-hot encodes categories', () => {
  const design = fitDesign(X);
  assert.equal(designWidth(design), 6);
  assert.deepEqual(expandedNames(design), ['a', 'constant', 'city=0', 'city=1', 'city=2', 'empty']);
  assert.deepEqual(Array.from(oneHotBlocks(design)), [2, 5]);
  const Z = designMatrix(design, X);
  const column = (j: number) => Array.from(Z.subarray(j * 4, j * 4 + 4));
  assert.equal(column(0)[2], 0, 'missing is the mean, 0 after standardising');
  assert.ok(Math.abs(column(0).reduce((s, v) => s + v, 0)) < 1e-15);
  assert.deepEqual(column(1), [0, 0, 0, 0]);
  assert.deepEqual(
    [column(2), column(3), column(4)],
    [
      [1, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 1, 0, 0],
    ],
  );
  assert.deepEqual(column(5), [0, 0, 0, 0]);
  // Rows 2 (missing city) and 3 (code 9, unseen) have all-zero one-hot columns.
  const uncentred = designMatrix(design, X, false);
  assert.equal(uncentred[0], 1 / design.scales[0]);
  assert.equal(uncentred[2], design.means[0] / design.scales[0]);
});

test('coefficients mapped to the original scale predict what the standardised ones do', () => {
  const design = fitDesign(X);
  const Z = designMatrix(design, X);
  const beta = Float64Array.of(0.5, 3, 1, -2, 4, 7, -0.25, 1, 0.5, 0, -1, 2);
  const intercepts = Float64Array.of(0.1, -0.3);
  const { coefficients, intercepts: b } = toOriginalScale(design, beta, intercepts);
  const margins = linearPredictors(design, coefficients, b, X);
  for (let i = 0; i < 4; i++) {
    for (let k = 0; k < 2; k++) {
      let expected = intercepts[k];
      for (let c = 0; c < 6; c++) expected += beta[k * 6 + c] * Z[c * 4 + i];
      assert.ok(Math.abs(margins[i * 2 + k] - expected) < 1e-12, `row ${i} margin ${k}`);
    }
  }
});
