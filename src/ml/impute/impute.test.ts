import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadCsv } from '../../../test/ml-data.js';
import { Random } from '../../core/random.js';
import { featureMatrix, takeRows, type FeatureMatrix } from '../matrix.js';
import { columnMoments } from '../anomaly/column-stats.js';
import { fitIterativeImputer, IterativeImputerModel } from './iterative-imputer.js';
import { fitKnnImputer, KnnImputerModel } from './knn-imputer.js';
import { maskAtRandom, maskedRmse, type MaskedCells } from './mask-cells.js';
import { fitSimpleImputer, SimpleImputerModel } from './simple-imputer.js';

/**
 * RMSE floors on cells hidden at random. The scikit-learn figures and the hidden cells come from
 * test/fixtures/impute/make_impute_fixture.py (20 % of the cells, numpy seed 42), so both sides
 * fill exactly the same gaps; the error is the mean over columns of RMSE / column std.
 */
interface Reference {
  columns: string[];
  cells: number[];
  mean_nrmse: number;
  knn_nrmse: number;
  iterative_nrmse: number;
}
const FIXTURE = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/impute/sklearn-impute.json', import.meta.url), 'utf8'),
) as Record<string, Reference>;

async function maskedSet(name: 'wine' | 'breast_cancer'): Promise<{ X: FeatureMatrix; masked: MaskedCells }> {
  const { X } = await loadCsv(`${name}.csv`, { target: 'target', drop: ['target_name'] });
  const ref = FIXTURE[name];
  assert.deepEqual(X.names, ref.columns);
  const cells = Uint32Array.from(ref.cells);
  const data = Float64Array.from(X.data);
  const truth = Float64Array.from(cells, (at) => data[at]);
  for (const at of cells) data[at] = NaN;
  return { X, masked: { X: { ...X, data }, cells, truth } };
}

function normalisedRmse(X: FeatureMatrix, filled: FeatureMatrix, masked: MaskedCells): number {
  const r = maskedRmse(filled, masked);
  let sum = 0;
  for (let j = 0; j < X.cols; j++) sum += r[j] / columnMoments(X, j).std;
  return sum / X.cols;
}

for (const name of ['wine', 'breast_cancer'] as const) {
  test(`${name}: iterative and KNN imputation beat mean imputation and match scikit-learn`, async () => {
    const { X, masked } = await maskedSet(name);
    const ref = FIXTURE[name];
    const mean = normalisedRmse(X, fitSimpleImputer(masked.X).transform(masked.X).X, masked);
    assert.ok(Math.abs(mean - ref.mean_nrmse) < 1e-9, `mean imputation ${mean} vs sklearn ${ref.mean_nrmse}`);
    const knn = normalisedRmse(X, fitKnnImputer(masked.X).transform(masked.X).X, masked);
    const filled = fitIterativeImputer(masked.X).transform(masked.X);
    const iterative = normalisedRmse(X, filled.X, masked);
    assert.ok(filled.report.columns.every((c) => c.method === 'gaussian_em'));
    // KNN is scikit-learn's algorithm on the same standardised data: the same fills (0.6732, 0.5239).
    assert.ok(Math.abs(knn - ref.knn_nrmse) < 1e-9, `KNN ${knn} vs sklearn ${ref.knn_nrmse}`);
    // Iterative (EM on these all-numeric tables), ours / sklearn: wine 0.694 / 0.696, breast cancer
    // 0.307 / 0.357 (the chained Bayesian ridge it replaces: 0.690 and 0.337).
    assert.ok(iterative <= ref.iterative_nrmse, `iterative ${iterative} vs sklearn ${ref.iterative_nrmse}`);
    assert.ok(knn < 0.8 * mean && iterative < 0.8 * mean, `knn ${knn}, iterative ${iterative}, mean ${mean}`);
  });
}

test('wine: tree-based chained imputation beats mean imputation by a wide margin', async () => {
  const { X, masked } = await maskedSet('wine');
  const mean = normalisedRmse(X, fitSimpleImputer(masked.X).transform(masked.X).X, masked);
  const gbdt = normalisedRmse(
    X,
    fitIterativeImputer(masked.X, { estimator: 'gbdt', maxIter: 3 }).transform(masked.X).X,
    masked,
  );
  const forest = normalisedRmse(
    X,
    fitIterativeImputer(masked.X, {
      estimator: 'forest',
      maxIter: 3,
      forestParams: { nEstimators: 30 },
    }).transform(masked.X).X,
    masked,
  );
  // ours: gbdt 0.679, forest 0.691, mean 0.976
  assert.ok(gbdt < 0.75 * mean, `gbdt ${gbdt} vs mean ${mean}`);
  assert.ok(forest < 0.75 * mean, `forest ${forest} vs mean ${mean}`);
});

test('categorical column: classifier and neighbour fills beat the mode; probabilities reported', async () => {
  const { X: all } = await loadCsv('california_housing.csv', { target: 'median_house_value' });
  const rows = new Random(3)
    .shuffle(Uint32Array.from({ length: all.rows }, (_, i) => i))
    .slice(0, 3000)
    .sort();
  const X = takeRows(all, rows);
  const ocean = X.names.indexOf('ocean_proximity');
  assert.ok(X.categoryCounts[ocean] > 0);
  const masked = maskAtRandom(X, 0.2, 42);
  const accuracy = (filled: FeatureMatrix) => {
    let right = 0;
    let total = 0;
    masked.cells.forEach((at, c) => {
      if (Math.floor(at / X.rows) !== ocean) return;
      total++;
      if (filled.data[at] === masked.truth[c]) right++;
    });
    return right / total;
  };
  const mode = accuracy(fitSimpleImputer(masked.X).transform(masked.X).X);
  const knn = fitKnnImputer(masked.X).transform(masked.X);
  const iterative = fitIterativeImputer(masked.X).transform(masked.X);
  // ours: mode 0.461, knn 0.641, iterative (logistic) 0.711
  assert.ok(accuracy(knn.X) > mode + 0.15, `knn ${accuracy(knn.X)} vs mode ${mode}`);
  assert.ok(accuracy(iterative.X) > mode + 0.2, `iterative ${accuracy(iterative.X)} vs mode ${mode}`);
  const fill = iterative.report.columns.find((c) => c.column === 'ocean_proximity')!;
  assert.equal(fill.method, 'logistic');
  const { cols, probability, std } = iterative.report.cells;
  for (let c = 0; c < cols.length; c++) {
    if (cols[c] === ocean) assert.ok(probability[c] > 0 && probability[c] <= 1 && Number.isNaN(std[c]));
    else assert.ok(std[c] > 0 && Number.isNaN(probability[c]));
  }
});

test('report: every filled cell once, with column counts and methods; observed cells unchanged', async () => {
  const { masked } = await maskedSet('wine');
  for (const model of [
    fitSimpleImputer(masked.X, { strategy: 'median' }),
    fitKnnImputer(masked.X),
    fitIterativeImputer(masked.X),
  ]) {
    const { X: filled, report } = model.transform(masked.X);
    assert.equal(report.cells.rows.length, masked.cells.length);
    assert.equal(
      report.columns.reduce((s, c) => s + c.filled, 0),
      masked.cells.length,
    );
    const seen = new Set<number>();
    report.cells.rows.forEach((r, c) => {
      const at = report.cells.cols[c] * filled.rows + r;
      seen.add(at);
      assert.equal(filled.data[at], report.cells.values[c]);
      assert.ok(report.cells.std[c] >= 0, 'numeric fills carry a std');
    });
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      Array.from(masked.cells),
    );
    for (let at = 0; at < filled.data.length; at++) {
      if (!seen.has(at)) assert.equal(filled.data[at], masked.X.data[at]);
    }
  }
});

test('same seed, same fills; JSON round trips fill new rows the same way', async () => {
  const { masked } = await maskedSet('wine');
  const a = fitIterativeImputer(masked.X, { seed: 5 });
  const b = fitIterativeImputer(masked.X, { seed: 5 });
  assert.deepEqual(a.transform(masked.X).X.data, b.transform(masked.X).X.data);
  const fresh = takeRows(masked.X, [0, 3, 5, 7, 11]);
  const round = <T extends { toJSON(): unknown }>(m: T) => JSON.parse(JSON.stringify(m.toJSON())) as unknown;
  const pairs: [
    { transform(X: FeatureMatrix): { X: FeatureMatrix } },
    { transform(X: FeatureMatrix): { X: FeatureMatrix } },
  ][] = [
    [a, IterativeImputerModel.fromJSON(round(a))],
    [fitKnnImputer(masked.X), KnnImputerModel.fromJSON(round(fitKnnImputer(masked.X)))],
    [fitSimpleImputer(masked.X), SimpleImputerModel.fromJSON(round(fitSimpleImputer(masked.X)))],
  ];
  for (const [model, again] of pairs)
    assert.deepEqual(again.transform(fresh).X.data, model.transform(fresh).X.data);
  const gbdt = fitIterativeImputer(masked.X, { estimator: 'gbdt', maxIter: 2, validationFraction: 0 });
  assert.deepEqual(
    IterativeImputerModel.fromJSON(round(gbdt)).transform(fresh).X.data,
    gbdt.transform(fresh).X.data,
  );
});

test('simple strategies, empty columns and bad input', () => {
  const X = featureMatrix(
    [
      [1, 2, 2, NaN, 10],
      [NaN, NaN, NaN, NaN, NaN],
      [0, 1, 1, NaN, 1],
    ],
    ['x', 'empty', 'kind'],
    [0, 0, 2],
  );
  const fills = (strategy: 'mean' | 'median' | 'mode' | 'constant') =>
    Array.from(fitSimpleImputer(X, { strategy, fillValue: -1 }).fills);
  assert.deepEqual(fills('mean'), [3.75, 0, 1]);
  assert.deepEqual(fills('median'), [2, 0, 1]);
  assert.deepEqual(fills('mode'), [2, 0, 1]);
  assert.deepEqual(fills('constant'), [-1, -1, -1]);
  const report = fitSimpleImputer(X).transform(X).report;
  assert.deepEqual(
    report.columns.map((c) => [c.column, c.filled, c.method]),
    [
      ['x', 1, 'mean'],
      ['empty', 5, 'mean'],
      ['kind', 1, 'mode'],
    ],
  );
  assert.ok(Math.abs(report.cells.probability[report.cells.cols.indexOf(2)] - 0.75) < 1e-12);
  const filled = fitIterativeImputer(X).transform(X).X;
  assert.ok(filled.data.every((v) => Number.isFinite(v)));
  assert.throws(
    () => fitSimpleImputer(X, { strategy: 'max' as 'mean' }),
    /strategy must be 'mean', 'median', 'mode' or 'constant'; got 'max'/,
  );
  assert.throws(() => fitKnnImputer(X, { k: 0 }), /k must be an integer/);
  assert.throws(
    () => fitIterativeImputer(X, { estimator: 'svm' as 'linear' }),
    /estimator must be 'linear', 'gbdt' or 'forest'/,
  );
  assert.throws(
    () => fitKnnImputer(X).transform({ ...X, cols: 2, names: ['x', 'empty'], data: X.data.subarray(0, 10) }),
    /got 2 features/,
  );
});
