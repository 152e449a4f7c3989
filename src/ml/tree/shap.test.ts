import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CairnError } from '../../core/errors.js';
import { featureMatrix, rowOf, type FeatureMatrix } from '../matrix.js';
import { predictMargin, type TreeEnsemble } from './ensemble.js';
import { topContributions, treeShap, treeShapBatch, treeShapExplainer } from './shap.js';
import { tableExplainer } from './shap-tables.js';
import { goesLeft, type Tree } from './tree.js';
import { importXgboostJson } from './xgboost-json.js';

/**
 * XGBoost's pred_contribs for the fixture rows (test/fixtures/xgboost, see make_fixtures.py) are
 * path-dependent TreeSHAP computed in float32; Cairn's, in float64, match them to 1e-6.
 */
const DIR = new URL('../../../test/fixtures/xgboost/', import.meta.url);

interface Fixture {
  name: string;
  features: string[];
  model: TreeEnsemble;
  X: FeatureMatrix;
  shap: Float64Array;
}

function loadFixtures(): Fixture[] {
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', DIR), 'utf8')) as {
    fixtures: { name: string; model: string; csv: string; features: string[] }[];
  };
  return manifest.fixtures.map((f) => {
    const [header, ...lines] = readFileSync(new URL(f.csv, DIR), 'utf8').trim().split('\n');
    const names = header.split(',');
    const rows = lines.map((line) => line.split(',').map((v) => (v === '' ? NaN : Number(v))));
    const shapCols = names.flatMap((n, j) => (n.startsWith('shap_') ? [j] : []));
    return {
      name: f.name,
      features: f.features,
      model: importXgboostJson(readFileSync(new URL(f.model, DIR), 'utf8')),
      X: featureMatrix(
        f.features.map((name) => rows.map((r) => r[names.indexOf(name)])),
        f.features,
      ),
      shap: Float64Array.from(rows.flatMap((r) => shapCols.map((j) => r[j]))),
    };
  });
}

const fixtures = loadFixtures();

const METHODS = [
  { name: 'lookup tables', options: { tables: true } },
  { name: 'tree walk', options: { tables: false } },
];

for (const f of fixtures) {
  for (const method of METHODS) {
    test(`${f.name}, ${method.name}: contributions and bias equal XGBoost's pred_contribs to 1e-6 on every row`, () => {
      if (method.options.tables) assert.notEqual(tableExplainer(f.model, f.X.cols + 1), null);
      const phi = treeShapBatch(f.model, f.X, undefined, method.options);
      assert.equal(phi.length, f.shap.length);
      const stride = f.X.cols + 1;
      for (let i = 0; i < phi.length; i++) {
        const d = Math.abs(phi[i] - f.shap[i]);
        const r = Math.floor(i / (stride * f.model.outputs));
        assert.ok(
          d < 1e-6,
          `row ${r}, output ${Math.floor(i / stride) % f.model.outputs}, term ${i % stride}: ${d}`,
        );
      }
    });
  }

  test(`${f.name}: contributions plus bias add up to the margin to 1e-9`, () => {
    const K = f.model.outputs;
    const stride = f.X.cols + 1;
    const phi = treeShapBatch(f.model, f.X);
    const margin = predictMargin(f.model, f.X);
    for (let i = 0; i < margin.length; i++) {
      let sum = 0;
      for (let j = 0; j < stride; j++) sum += phi[i * stride + j];
      assert.ok(
        Math.abs(sum - margin[i]) < 1e-9,
        `row ${Math.floor(i / K)} output ${i % K}: ${sum} vs ${margin[i]}`,
      );
    }
  });
}

/**
 * Shapley values by definition: v(S) is the path-dependent expectation (features in S follow the
 * row, the others split by cover), and φ_i = Σ_{S ⊆ F∖{i}} |S|! (M−|S|−1)! / M! · (v(S∪{i}) − v(S)).
 */
function bruteForceShap(ensemble: TreeEnsemble, x: Float64Array): Float64Array {
  const M = ensemble.featureNames.length;
  const K = ensemble.outputs;
  const expect = (tree: Tree, node: number, S: number): number => {
    const left = tree.left[node];
    if (left < 0) return tree.value[node];
    const right = tree.right[node];
    const f = tree.feature[node];
    if (S & (1 << f)) return expect(tree, goesLeft(tree, node, x[f]) ? left : right, S);
    return (
      (tree.cover[left] * expect(tree, left, S) + tree.cover[right] * expect(tree, right, S)) /
      tree.cover[node]
    );
  };
  const v = (S: number, k: number) => {
    let sum = ensemble.baseMargin[k];
    ensemble.trees.forEach((tree, t) => {
      if (ensemble.treeOutput[t] === k) sum += expect(tree, 0, S);
    });
    return sum;
  };
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const out = new Float64Array(K * (M + 1));
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < M; i++) {
      for (let S = 0; S < 1 << M; S++) {
        if (S & (1 << i)) continue;
        let size = 0;
        for (let b = S; b; b &= b - 1) size++;
        const weight = (factorial(size) * factorial(M - size - 1)) / factorial(M);
        out[k * (M + 1) + i] += weight * (v(S | (1 << i), k) - v(S, k));
      }
    }
    out[k * (M + 1) + M] = v(0, k);
  }
  return out;
}

function assertClose(actual: Float64Array, expected: Float64Array, tolerance: number, label: string) {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) < tolerance,
      `${label} term ${i}: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

for (const method of METHODS) {
  test(`brute-force Shapley values agree with TreeSHAP (${method.name}) on the iris model (4 features, 60 trees)`, () => {
    const iris = fixtures.find((f) => f.name === 'iris_multiclass')!;
    const explain = treeShapExplainer(iris.model, method.options);
    for (let r = 0; r < iris.X.rows; r += 7) {
      const x = rowOf(iris.X, r);
      assertClose(explain(x), bruteForceShap(iris.model, x), 1e-12, `row ${r}`);
    }
  });
}

/**
 * A hand-made tree on 6 features exercising what real models rarely combine in one tree: a
 * feature split twice on one path (x0), a categorical node (x2 in {1, 3} → left), missing values
 * and unseen codes taking the default direction, and uneven covers.
 */
function smallTree(): TreeEnsemble {
  //            0: x0 < 0.5
  //        1: x2 in {1,3}          2: x1 < 2 (missing → left)
  //     3: x0 < 0.2   4: leaf    5: x3 < 1     6: x4 < 0
  //    7    8                   9   10       11: x5 < 3   12
  //                                         13   14
  const L = [1, 3, 5, 7, -1, 9, 11, -1, -1, -1, -1, 13, -1, -1, -1];
  const R = [2, 4, 6, 8, -1, 10, 12, -1, -1, -1, -1, 14, -1, -1, -1];
  const tree: Tree = {
    left: Int32Array.from(L),
    right: Int32Array.from(R),
    feature: Int32Array.from([0, 2, 1, 0, -1, 3, 4, -1, -1, -1, -1, 5, -1, -1, -1]),
    threshold: Float64Array.from([0.5, 0, 2, 0.2, 0, 1, 0, 0, 0, 0, 0, 3, 0, 0, 0]),
    defaultLeft: Uint8Array.from([0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
    catOffsets: Int32Array.from([0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),
    catCodes: Int32Array.from([1, 3]),
    value: Float64Array.from([0, 0, 0, 0, -0.7, 0, 0, 1.5, -0.3, 0.8, 2.1, 0, -1.2, 0.4, -2.5]),
    cover: Float64Array.from([100, 40, 60, 25, 15, 35, 25, 10, 15, 20, 15, 18, 7, 12, 6]),
    gain: new Float64Array(15),
  };
  return {
    objective: 'regression',
    outputs: 1,
    baseMargin: Float64Array.of(0.25),
    trees: [tree],
    treeOutput: Int32Array.of(0),
    featureNames: ['x0', 'x1', 'x2', 'x3', 'x4', 'x5'],
    categoryCounts: Int32Array.from([0, 0, 4, 0, 0, 0]),
  };
}

for (const method of METHODS) {
  test(`brute-force Shapley values agree with TreeSHAP (${method.name}) on a 6-feature tree with categorical and missing`, () => {
    const model = smallTree();
    const explain = treeShapExplainer(model, method.options);
    const rows = [
      [0.1, 1, 3, 0, -1, 2],
      [0.3, NaN, 0, 2, 1, 4],
      [0.9, NaN, NaN, 0.5, -2, 1],
      [0.9, 5, 7, 0.5, 0.5, 3], // 7: an unseen category
      [0.4, 2, 1.5, NaN, NaN, NaN], // 1.5: not a whole code, so unseen
      [NaN, NaN, NaN, NaN, NaN, NaN],
    ];
    for (const row of rows) {
      const x = Float64Array.from(row);
      const phi = explain(x);
      assertClose(phi, bruteForceShap(model, x), 1e-12, `row [${row.join(', ')}]`);
      const margin = predictMargin(
        model,
        featureMatrix(
          row.map((v) => [v]),
          model.featureNames,
        ),
      );
      assert.ok(Math.abs(phi.reduce((a, b) => a + b, 0) - margin[0]) < 1e-12);
    }
  });
}

/** One path of `depth` splits, node i on feature i (x_i < 0.5 goes on down), each right child a leaf. */
function chainTree(depth: number): TreeEnsemble {
  const nodes = 2 * depth + 1;
  const left = new Int32Array(nodes).fill(-1);
  const right = new Int32Array(nodes).fill(-1);
  const feature = new Int32Array(nodes).fill(-1);
  const threshold = new Float64Array(nodes);
  const value = new Float64Array(nodes);
  const cover = new Float64Array(nodes);
  for (let i = 0; i < depth; i++) {
    const node = 2 * i;
    left[node] = node + 2;
    right[node] = node + 1;
    feature[node] = i;
    threshold[node] = 0.5;
    value[node + 1] = i - depth / 2;
  }
  value[nodes - 1] = 3;
  for (let node = nodes - 1; node >= 0; node--)
    cover[node] = left[node] < 0 ? 1 + (node % 3) : cover[left[node]] + cover[right[node]];
  const tree: Tree = {
    left,
    right,
    feature,
    threshold,
    defaultLeft: new Uint8Array(nodes),
    catOffsets: new Int32Array(nodes + 1),
    catCodes: new Int32Array(0),
    value,
    cover,
    gain: new Float64Array(nodes),
  };
  return {
    objective: 'regression',
    outputs: 1,
    baseMargin: Float64Array.of(0),
    trees: [tree],
    treeOutput: Int32Array.of(0),
    featureNames: Array.from({ length: depth }, (_, i) => `x${i}`),
    categoryCounts: new Int32Array(depth),
  };
}

test('leaves with more than 10 distinct path features are explained by the tree walk, exactly', () => {
  const model = chainTree(12);
  assert.equal(tableExplainer(model, 13), null);
  assert.notEqual(tableExplainer(chainTree(10), 11), null);
  const explain = treeShapExplainer(model);
  for (const row of [
    new Float64Array(12),
    new Float64Array(12).fill(1),
    Float64Array.from({ length: 12 }, (_, i) => i % 2),
  ]) {
    assertClose(explain(row), bruteForceShap(model, row), 1e-12, `row [${row.join(', ')}]`);
  }
});

test('treeShapExplainer reuses an out buffer and matches the batch; bad sizes are typed errors', () => {
  const telco = fixtures.find((f) => f.name === 'telco_churn_categorical')!;
  const explain = treeShapExplainer(telco.model);
  const stride = telco.X.cols + 1;
  const out = new Float64Array(stride);
  const batch = treeShapBatch(telco.model, telco.X);
  for (const r of [0, 5, 17]) {
    assert.equal(explain(rowOf(telco.X, r), out), out);
    assert.deepEqual(out, batch.subarray(r * stride, (r + 1) * stride));
  }
  const isInvalid = (error: unknown) => error instanceof CairnError && error.code === 'INVALID_ARGUMENT';
  assert.throws(() => explain(new Float64Array(3)), isInvalid);
  assert.throws(() => explain(rowOf(telco.X, 0), new Float64Array(2)), isInvalid);
  assert.throws(() => treeShapBatch(telco.model, featureMatrix([[1]], ['a'])), isInvalid);
});

test('topContributions: the k largest |contribution|, with names and the row values, no zeros', () => {
  const names = ['age', 'income', 'tenure', 'plan'];
  const contribs = Float64Array.of(0.2, -0.9, 0, 0.2, /* bias */ 5);
  const x = Float64Array.of(41, 1200, 3, NaN);
  assert.deepEqual(topContributions(contribs, names, 3, x), [
    { feature: 1, name: 'income', value: 1200, contribution: -0.9 },
    { feature: 0, name: 'age', value: 41, contribution: 0.2 },
    { feature: 3, name: 'plan', value: NaN, contribution: 0.2 },
  ]);
  assert.equal(topContributions(contribs, names, 10).length, 3);
  assert.ok(Number.isNaN(topContributions(contribs, names, 1)[0].value));
  assert.deepEqual(topContributions(contribs, names, 0), []);

  const housing = fixtures.find((f) => f.name === 'california_categorical')!;
  const phi = treeShap(housing.model, rowOf(housing.X, 0));
  const top = topContributions(phi, housing.features, 3, rowOf(housing.X, 0));
  assert.equal(top.length, 3);
  assert.ok(Math.abs(top[0].contribution) >= Math.abs(top[2].contribution));
});
