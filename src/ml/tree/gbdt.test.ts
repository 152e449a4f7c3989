import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadCsv, loadHoldout, takeValues, trainTestSplit } from '../../../test/ml-data.js';
import { WorkerPool } from '../../core/workers/pool.js';
import { takeRows, type FeatureMatrix } from '../matrix.js';
import { argmaxRows, multiclassLogLoss } from '../metrics/multiclass.js';
import { rocAuc } from '../metrics/ranking.js';
import { mae, rmse } from '../metrics/regression.js';
import { fitGbdt, GbdtModel, type GbdtParams } from './gbdt.js';
import { nodeCount } from './tree.js';

// Accuracy floors come from XGBoost 1.7.4 (tree_method hist, 300 trees, depth 6, learning rate 0.1,
// max_bin 256) run once by /work/shared/peers/peer.py on the same seeded split as loadHoldout
// (testFraction 0.25, seed 42), written to CSV. Targets: AUC ≥ XGBoost − 0.003, RMSE ≤ 1.01 × XGBoost.
const XGBOOST_300 = { nEstimators: 300, maxDepth: 6, learningRate: 0.1, earlyStoppingRounds: 0 } as const;

const pool = new WorkerPool(2);
after(() => pool.close());

async function holdout(file: string, target: string, drop: string[] = []) {
  const data = await loadCsv(file, { target, drop });
  const split = trainTestSplit(data.y, { testFraction: 0.25, seed: 42, stratify: true });
  const part = (index: Uint32Array) => ({ X: takeRows(data.X, index), y: takeValues(data.y, index) });
  return { train: part(split.train), test: part(split.test) };
}

function withoutColumn(X: FeatureMatrix, name: string): FeatureMatrix {
  const keep = X.names.flatMap((n, j) => (n === name ? [] : [j]));
  const data = new Float64Array(X.rows * keep.length);
  keep.forEach((j, i) => data.set(X.data.subarray(j * X.rows, (j + 1) * X.rows), i * X.rows));
  return {
    rows: X.rows,
    cols: keep.length,
    data,
    names: keep.map((j) => X.names[j]),
    categoryCounts: Int32Array.from(keep, (j) => X.categoryCounts[j]),
  };
}

test('binary, no parameters: telco churn AUC at least XGBoost 300/6/0.1 − 0.003', async () => {
  const { train, test: held } = await loadHoldout('telco');
  const model = fitGbdt(train.X, train.y);
  assert.equal(model.ensemble.objective, 'binary');
  const auc = rocAuc(held.y, model.predict(held.X));
  // XGBoost: 0.8252 (it overfits at 300 rounds; the defaults stop early). Cairn measured 0.8378.
  assert.ok(auc >= 0.8222, `AUC ${auc}`);
  assert.ok(model.bestIteration < 200, `the search chose ${model.bestIteration + 1} rounds`);
});

test('binary, XGBoost settings: breast cancer AUC at least XGBoost − 0.003', async () => {
  const { train, test: held } = await loadHoldout('breast_cancer');
  const model = fitGbdt(train.X, train.y, XGBOOST_300);
  const auc = rocAuc(held.y, model.predict(held.X));
  // XGBoost: 0.99788. Cairn measured 0.99767.
  assert.ok(auc >= 0.99488, `AUC ${auc}`);
  assert.equal(model.ensemble.trees.length, 300);
});

test('regression: California RMSE within 1 % of XGBoost, with missing total_bedrooms and categorical ocean_proximity', async () => {
  const { train, test: held } = await loadHoldout('california');
  const bedrooms = train.X.names.indexOf('total_bedrooms');
  assert.ok(train.X.data.subarray(bedrooms * train.X.rows, (bedrooms + 1) * train.X.rows).some(Number.isNaN));
  assert.ok(train.X.categoryCounts[train.X.names.indexOf('ocean_proximity')] > 0);
  const model = fitGbdt(train.X, train.y, XGBOOST_300);
  const predictions = model.predict(held.X);
  assert.ok(predictions.every(Number.isFinite));
  const error = rmse(held.y, predictions);
  // XGBoost (ocean_proximity as ordinal codes): 45,957. Cairn measured 45,883.
  assert.ok(error <= 46417, `RMSE ${error}`);
  const categorical = model.ensemble.trees.some((t) => t.catCodes.length > 0);
  assert.ok(categorical, 'some split is on ocean_proximity as a category');

  const dropped = fitGbdt(withoutColumn(train.X, 'ocean_proximity'), train.y, XGBOOST_300);
  const droppedError = rmse(held.y, dropped.predict(withoutColumn(held.X, 'ocean_proximity')));
  assert.ok(error <= droppedError, `with the category ${error}, without ${droppedError}`);
});

test('multiclass: iris and wine log-loss no worse than XGBoost, one tree per class per round', async () => {
  // XGBoost log-loss: iris 0.1349 (accuracy 0.974), wine 0.1524 (accuracy 0.933).
  for (const [name, xgboostLoss, xgboostAccuracy] of [
    ['iris', 0.1349, 0.974],
    ['wine', 0.1524, 0.933],
  ] as const) {
    const { train, test: held } = await loadHoldout(name);
    const model = fitGbdt(train.X, train.y, { objective: 'multiclass' });
    assert.equal(model.ensemble.outputs, 3);
    assert.equal(model.ensemble.trees.length, 3 * (model.bestIteration + 1));
    const p = model.predict(held.X);
    assert.equal(p.length, 3 * held.X.rows);
    for (let r = 0; r < held.X.rows; r++)
      assert.ok(Math.abs(p[3 * r] + p[3 * r + 1] + p[3 * r + 2] - 1) < 1e-12);
    const loss = multiclassLogLoss(held.y, p, 3);
    assert.ok(loss <= xgboostLoss, `${name} log-loss ${loss}`);
    const predicted = argmaxRows(p, 3);
    const accuracy = predicted.filter((c, r) => c === held.y[r]).length / held.X.rows;
    assert.ok(accuracy >= xgboostAccuracy - 0.03, `${name} accuracy ${accuracy}`);
  }
});

test('missing values learn a direction: median_income 30 % missing still beats dropping it', async () => {
  const { train, test: held } = await loadHoldout('california');
  const income = train.X.names.indexOf('median_income');
  const mask = (X: FeatureMatrix, seed: number) => {
    const data = Float64Array.from(X.data);
    let state = seed;
    for (let r = 0; r < X.rows; r++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      if (state / 2 ** 32 < 0.3) data[income * X.rows + r] = NaN;
    }
    return { ...X, data };
  };
  const params = { ...XGBOOST_300, nEstimators: 150 };
  const masked = fitGbdt(mask(train.X, 1), train.y, params);
  const maskedError = rmse(held.y, masked.predict(mask(held.X, 2)));
  const dropped = fitGbdt(withoutColumn(train.X, 'median_income'), train.y, params);
  const droppedError = rmse(held.y, dropped.predict(withoutColumn(held.X, 'median_income')));
  assert.ok(maskedError < droppedError, `masked ${maskedError}, dropped ${droppedError}`);
  const directions = new Set<number>();
  for (const tree of masked.ensemble.trees) {
    for (let i = 0; i < nodeCount(tree); i++)
      if (tree.feature[i] === income) directions.add(tree.defaultLeft[i]);
  }
  assert.deepEqual(
    [...directions].sort(),
    [0, 1],
    'missing incomes go left at some splits and right at others',
  );
});

test('the same seed gives a bit-identical model, with or without worker threads', async () => {
  const { train, test: held } = await loadHoldout('telco');
  const params: Partial<GbdtParams> = { nEstimators: 60, subsample: 0.8, colsampleBytree: 0.7, seed: 7 };
  const a = fitGbdt(train.X, train.y, params);
  const b = fitGbdt(train.X, train.y, params);
  const threaded = fitGbdt(train.X, train.y, params, { pool });
  assert.deepEqual(a.toJSON(), b.toJSON());
  assert.deepEqual(threaded.toJSON(), a.toJSON());
  assert.deepEqual(a.predict(held.X), threaded.predict(held.X));
  const other = fitGbdt(train.X, train.y, { ...params, seed: 8 });
  assert.notDeepEqual(other.predict(held.X), a.predict(held.X));
});

test('worker threads give the same model on data large enough to split the work', async () => {
  const { train } = await loadHoldout('california');
  const params: Partial<GbdtParams> = { ...XGBOOST_300, nEstimators: 20 };
  assert.deepEqual(
    fitGbdt(train.X, train.y, params, { pool }).toJSON(),
    fitGbdt(train.X, train.y, params).toJSON(),
  );
  const lossguide = { ...params, maxLeaves: 31, maxDepth: 0 };
  assert.deepEqual(
    fitGbdt(train.X, train.y, lossguide, { pool }).toJSON(),
    fitGbdt(train.X, train.y, lossguide).toJSON(),
  );
});

test('batch prediction split across worker threads gives the same bits', async () => {
  const { train, test: held } = await loadHoldout('california');
  const model = fitGbdt(train.X, train.y, { ...XGBOOST_300, nEstimators: 50 });
  // Four copies of the test rows: past the size from which a batch is split between threads.
  const copies = 4;
  const data = new Float64Array(held.X.data.length * copies);
  for (let j = 0; j < held.X.cols; j++) {
    const column = held.X.data.subarray(j * held.X.rows, (j + 1) * held.X.rows);
    for (let c = 0; c < copies; c++) data.set(column, (j * copies + c) * held.X.rows);
  }
  const X = { ...held.X, rows: held.X.rows * copies, data };
  assert.deepEqual(model.predict(X, { pool }), model.predict(X));
  // Workers keep each model compiled between calls; a second model must not get the first one's trees.
  const other = fitGbdt(train.X, train.y, { ...XGBOOST_300, nEstimators: 20, maxDepth: 4 });
  assert.deepEqual(other.predict(X, { pool }), other.predict(X));
  assert.deepEqual(model.predict(X, { pool }), model.predict(X));
});

test('JSON round trip is bit-identical and versioned', async () => {
  const { train, test: held } = await loadHoldout('telco');
  const model = fitGbdt(train.X, train.y, { nEstimators: 40, earlyStoppingRounds: 0 });
  const json = model.toJSON();
  assert.equal(json.format, 'cairn-gbdt');
  assert.equal(json.version, 1);
  const back = GbdtModel.fromJSON(JSON.parse(JSON.stringify(json)) as typeof json);
  assert.deepEqual(back.toJSON(), json);
  assert.deepEqual(back.predict(held.X), model.predict(held.X));
  assert.throws(
    () => GbdtModel.fromJSON({ ...json, version: 2 as 1 }),
    /version 2; this Cairn reads version 1/,
  );
  assert.throws(
    () => GbdtModel.fromJSON({ ...json, format: 'x' as 'cairn-gbdt' }),
    /lacks format 'cairn-gbdt'/,
  );
  const imported = GbdtModel.fromEnsemble(model.ensemble);
  assert.equal(imported.bestIteration, 39);
  assert.deepEqual(imported.predict(held.X), model.predict(held.X));
});

test('early stopping stops and keeps the best round', async () => {
  const { train, test: held } = await loadHoldout('telco');
  const rounds: number[] = [];
  const model = fitGbdt(
    train.X,
    train.y,
    { nEstimators: 500, earlyStoppingRounds: 20 },
    { validation: held, onProgress: (round) => rounds.push(round) },
  );
  const history = model.evalHistory.valid;
  assert.equal(model.evalHistory.metric, 'logloss');
  assert.equal(history.length, model.bestIteration + 21, 'ran 20 rounds past the best');
  assert.ok(history.length < 500);
  assert.equal(Math.min(...history), history[model.bestIteration]);
  assert.equal(model.ensemble.trees.length, model.bestIteration + 1);
  assert.deepEqual(
    rounds,
    Array.from({ length: history.length }, (_, i) => i + 1),
  );
});

test('class weights shift predicted probabilities towards the weighted class', async () => {
  const { train, test: held } = await holdout('bank_additional_10pct.csv', 'y');
  const params = { nEstimators: 80, earlyStoppingRounds: 0 };
  const mean = (p: Float64Array) => p.reduce((a, b) => a + b, 0) / p.length;
  const plain = mean(fitGbdt(train.X, train.y, params).predict(held.X));
  const weighted = mean(fitGbdt(train.X, train.y, { ...params, classWeights: [1, 4] }).predict(held.X));
  const balanced = mean(fitGbdt(train.X, train.y, { ...params, classWeights: 'balanced' }).predict(held.X));
  assert.ok(plain < 0.15, `unweighted mean probability ${plain}`);
  assert.ok(weighted > plain + 0.03, `weighted ${weighted}, plain ${plain}`);
  assert.ok(balanced > weighted, `balanced ${balanced}`);
});

test('absolute and Huber losses learn; absolute error refits leaves to medians', async () => {
  const { train, test: held } = await loadHoldout('california');
  const params = { ...XGBOOST_300, nEstimators: 150 };
  const squared = fitGbdt(train.X, train.y, params);
  const absolute = fitGbdt(train.X, train.y, { ...params, loss: 'absolute' });
  const huber = fitGbdt(train.X, train.y, { ...params, loss: 'huber' });
  const median = [...train.y].sort((a, b) => a - b)[train.y.length >> 1];
  const baseline = mae(held.y, new Float64Array(held.y.length).fill(median));
  const squaredMae = mae(held.y, squared.predict(held.X));
  const absoluteMae = mae(held.y, absolute.predict(held.X));
  const huberMae = mae(held.y, huber.predict(held.X));
  assert.ok(absoluteMae < 0.45 * baseline, `absolute ${absoluteMae}, baseline ${baseline}`);
  assert.ok(huberMae < 0.45 * baseline, `huber ${huberMae}`);
  assert.ok(absoluteMae < squaredMae * 1.05, `absolute ${absoluteMae}, squared ${squaredMae}`);
  assert.equal(absolute.ensemble.baseMargin[0], median);
  assert.equal(absolute.evalHistory.metric, 'mae');
});

test('L1, L2 and gamma regularise; best-first growth respects maxLeaves', async () => {
  const { train } = await loadHoldout('california');
  const params = { ...XGBOOST_300, nEstimators: 20 };
  const leafSum = (m: GbdtModel) =>
    m.ensemble.trees.reduce(
      (s, t) => s + t.value.reduce((a, v, i) => a + (t.left[i] < 0 ? Math.abs(v) : 0), 0),
      0,
    );
  const nodes = (m: GbdtModel) => m.ensemble.trees.reduce((s, t) => s + nodeCount(t), 0);
  const plain = fitGbdt(train.X, train.y, params);
  assert.ok(leafSum(fitGbdt(train.X, train.y, { ...params, lambda: 1000 })) < leafSum(plain));
  assert.ok(leafSum(fitGbdt(train.X, train.y, { ...params, alpha: 1e6 })) < leafSum(plain));
  assert.ok(nodes(fitGbdt(train.X, train.y, { ...params, gamma: 1e12 })) < nodes(plain));
  const lossguide = fitGbdt(train.X, train.y, { ...params, maxLeaves: 12, maxDepth: 0 });
  for (const tree of lossguide.ensemble.trees) assert.ok(tree.left.filter((l) => l < 0).length <= 12);
  assert.ok(lossguide.ensemble.trees.some((t) => t.left.filter((l) => l < 0).length === 12));
});

test('row and column subsampling still learn', async () => {
  const { train, test: held } = await loadHoldout('breast_cancer');
  const model = fitGbdt(train.X, train.y, {
    ...XGBOOST_300,
    nEstimators: 100,
    subsample: 0.5,
    colsampleBytree: 0.5,
  });
  assert.ok(rocAuc(held.y, model.predict(held.X)) > 0.99);
  const used = new Set(model.ensemble.trees[0].feature.filter((f) => f >= 0));
  assert.ok(used.size <= 15, 'the first tree splits on at most half of the 30 features');
});

test('importance: median_income leads California by gain; kinds agree on shape', async () => {
  const { train } = await loadHoldout('california');
  const model = fitGbdt(train.X, train.y, { ...XGBOOST_300, nEstimators: 50 });
  const gain = model.importance('total_gain');
  const split = model.importance('split');
  const mean = model.importance('gain');
  assert.equal(gain.length, train.X.cols);
  assert.equal(train.X.names[gain.indexOf(Math.max(...gain))], 'median_income');
  for (let f = 0; f < gain.length; f++) assert.ok(Math.abs(mean[f] * split[f] - gain[f]) <= 1e-6 * gain[f]);
  assert.equal(
    split.reduce((a, b) => a + b, 0),
    model.ensemble.trees.reduce((s, t) => s + t.left.filter((l) => l >= 0).length, 0),
  );
});

test('single-row predictions equal batch predictions', async () => {
  const { train, test: held } = await loadHoldout('wine');
  const model = fitGbdt(train.X, train.y, {
    objective: 'multiclass',
    nEstimators: 30,
    earlyStoppingRounds: 0,
  });
  const batch = model.predict(held.X);
  for (let r = 0; r < held.X.rows; r++) {
    const x = Float64Array.from({ length: held.X.cols }, (_, f) => held.X.data[f * held.X.rows + r]);
    assert.deepEqual(model.predictRow(x), batch.subarray(3 * r, 3 * r + 3));
  }
  assert.throws(
    () => model.predictRow(new Float64Array(3)),
    /predictRow got 3 features; the GBDT model was trained on 13/,
  );
});

test('bad parameters and labels are refused with the name and the value', async () => {
  const { train } = await loadHoldout('iris');
  assert.throws(
    () => fitGbdt(train.X, train.y, { objective: 'binary' }),
    /training label at row \d+ is 2; objective 'binary' needs 0 or 1/,
  );
  assert.throws(
    () => fitGbdt(train.X, train.y, { learningRate: 0 }),
    /GBDT parameter 'learningRate' is 0; expected a number in \(0, Infinity\]/,
  );
  assert.throws(() => fitGbdt(train.X, train.y, { maxBins: 300 }), /'maxBins' is 300; expected at most 255/);
  assert.throws(() => fitGbdt(train.X, train.y.subarray(1)), /training X has 111 rows but y has 110 labels/);
  assert.throws(
    () => fitGbdt(train.X, train.y, { objective: 'multiclass', classWeights: [1, 2] }),
    /'classWeights' is \[1,2\]; expected 'balanced' or 3 non-negative numbers/,
  );
});
