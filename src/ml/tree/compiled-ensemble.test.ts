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

test('binned walking equals the thresholds exactly: values at, just below and above every split, missing values both ways', async () => {
  const { train } = await loadHoldout('telco');
  const X = { ...train.X, data: Float64Array.from(train.X.data) };
  // Every tenth value missing, so splits learn both missing directions.
  for (let i = 0; i < X.data.length; i += 10) X.data[i] = NaN;
  const model = fitGbdt(X, train.y, { nEstimators: 40, earlyStoppingRounds: 0, maxDepth: 5 });
  const { ensemble } = model;
  // Probe rows: row r takes every numeric feature from one threshold (or its neighbours).
  const thresholds: number[][] = Array.from({ length: X.cols }, () => []);
  for (const tree of ensemble.trees)
    for (let node = 0; node < tree.left.length; node++)
      if (tree.left[node] >= 0 && tree.catOffsets[node] === tree.catOffsets[node + 1])
        thresholds[tree.feature[node]].push(tree.threshold[node]);
  const rows = 300;
  const probe = { ...X, rows, data: new Float64Array(rows * X.cols) };
  for (let f = 0; f < X.cols; f++) {
    for (let r = 0; r < rows; r++) {
      const list = thresholds[f];
      const t = list.length > 0 ? list[r % list.length] : 0;
      const nudge = [0, -1e-9, 1e-9, NaN, -Infinity, Infinity][r % 6];
      probe.data[f * rows + r] = X.categoryCounts[f] > 0 ? X.data[f * X.rows + r] : t + nudge;
    }
  }
  const compiled = new CompiledEnsemble(ensemble);
  assert.ok(thresholds.some((list) => list.length > 10));
  assert.deepEqual(compiled.predictMargins(probe), predictMargin(ensemble, probe));
  for (let r = 0; r < rows; r += 7) {
    const row = Float64Array.from({ length: X.cols }, (_, f) => probe.data[f * rows + r]);
    assert.deepEqual(compiled.predictRowMargins(row), predictMargin(ensemble, probe).subarray(r, r + 1));
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

test('categorical splits over more than 63 codes (byte tables) and over fewer (masks) route as the Tree format does', () => {
  // Root: feature 0 categorical, codes {1, 70, 99} left (or {1} when there are 3 codes); its right child splits feature 1 at 0.5.
  for (const count of [3, 100]) {
    const codes = count > 3 ? [1, 70, 99] : [1];
    const ensemble: TreeEnsemble = {
      objective: 'regression',
      outputs: 1,
      baseMargin: Float64Array.of(0.5),
      treeOutput: Int32Array.of(0),
      featureNames: ['c', 'x'],
      categoryCounts: Int32Array.of(count, 0),
      trees: [
        {
          left: Int32Array.of(1, -1, 3, -1, -1),
          right: Int32Array.of(2, -1, 4, -1, -1),
          feature: Int32Array.of(0, -1, 1, -1, -1),
          threshold: Float64Array.of(0, 0, 0.5, 0, 0),
          defaultLeft: Uint8Array.of(0, 0, 1, 0, 0),
          catOffsets: Int32Array.of(0, codes.length, codes.length, codes.length, codes.length, codes.length),
          catCodes: Int32Array.from(codes),
          value: Float64Array.of(0, 10, 0, 20, 30),
          cover: Float64Array.of(5, 1, 4, 2, 2),
          gain: Float64Array.of(1, 0, 1, 0, 0),
        },
      ],
    };
    const c = [...Array.from({ length: count + 2 }, (_, i) => i), NaN, -1, 1.5];
    const x = [0, 0.5, 1, NaN];
    const rows = c.length * x.length;
    const data = new Float64Array(2 * rows);
    c.forEach((code, i) =>
      x.forEach((value, j) => {
        data[i * x.length + j] = code;
        data[rows + i * x.length + j] = value;
      }),
    );
    const X = { rows, cols: 2, data, names: ['c', 'x'], categoryCounts: Int32Array.of(count, 0) };
    assert.deepEqual(
      new CompiledEnsemble(ensemble).predictMargins(X),
      predictMargin(ensemble, X),
      `${count} codes`,
    );
  }
});
