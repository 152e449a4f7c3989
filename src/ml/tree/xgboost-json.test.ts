import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CairnError } from '../../core/errors.js';
import { featureMatrix, type FeatureMatrix } from '../matrix.js';
import { marginToPrediction, predictMargin } from './ensemble.js';
import { float32Threshold, importXgboostJson, parseXgboostText } from './xgboost-json.js';

/**
 * The fixtures (test/fixtures/xgboost, made by make_fixtures.py with XGBoost 1.7.4) hold models
 * trained on real data and, per row, XGBoost's margins, predictions and SHAP values.
 *
 * The float32 rule: XGBoost rounds each input to float32 and tests `fround(x) < t` against float32
 * thresholds t. The importer stores T = float32Threshold(t), the least double that rounds to ≥ t,
 * so Cairn's `x < T` takes the same branch for the raw float64 inputs and for fround(x) alike —
 * every row reaches the same leaves (with the float32 thresholds taken as they stand, 3–11 % of
 * the fixture rows would not). Leaves are float32 too, but XGBoost adds them in float32 and Cairn
 * in float64, so the margins differ by the rounding of XGBoost's float32 sum — up to
 * trees · 2^-24 · |margin|, 2e-6 on the housing fixtures — and are compared to 1e-6 relative to
 * their size, max(1, |margin|). Adding Cairn's leaves in float32 reproduces XGBoost bit for bit.
 */
const DIR = new URL('../../../test/fixtures/xgboost/', import.meta.url);

interface Fixture {
  name: string;
  objective: string;
  outputs: number;
  features: string[];
  model: string;
  X: FeatureMatrix;
  margin: Float64Array;
  pred: Float64Array;
}

function loadFixtures(): Fixture[] {
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', DIR), 'utf8')) as {
    fixtures: {
      name: string;
      model: string;
      csv: string;
      objective: string;
      outputs: number;
      features: string[];
    }[];
  };
  return manifest.fixtures.map((f) => {
    const [header, ...lines] = readFileSync(new URL(f.csv, DIR), 'utf8').trim().split('\n');
    const names = header.split(',');
    const rows = lines.map((line) => line.split(',').map((v) => (v === '' ? NaN : Number(v))));
    const column = (name: string) => {
      const j = names.indexOf(name);
      assert.ok(j >= 0, `${f.csv} has no column ${name}`);
      return rows.map((r) => r[j]);
    };
    const block = (prefix: string) => {
      const cols = names.filter((n) => n.startsWith(prefix));
      return Float64Array.from(rows.flatMap((r) => cols.map((c) => r[names.indexOf(c)])));
    };
    return {
      ...f,
      model: readFileSync(new URL(f.model, DIR), 'utf8'),
      X: featureMatrix(
        f.features.map((name) => column(name)),
        f.features,
      ),
      margin: block('margin_'),
      pred: block('pred_'),
    };
  });
}

const fixtures = loadFixtures();

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Largest |a - b| / max(1, |b|): absolute for values up to 1, relative above. */
function maxScaledDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}

function fround(X: FeatureMatrix): FeatureMatrix {
  return { ...X, data: X.data.map(Math.fround) };
}

for (const f of fixtures) {
  test(`${f.name}: margins and predictions equal XGBoost's to 1e-6 (margins relative above 1)`, () => {
    const model = importXgboostJson(f.model);
    assert.equal(model.objective, f.objective);
    assert.equal(model.outputs, f.outputs);
    assert.deepEqual(model.featureNames, f.features);
    for (const X of [f.X, fround(f.X)]) {
      const margin = predictMargin(model, X);
      assert.ok(
        maxScaledDiff(margin, f.margin) < 1e-6,
        `margin differs by ${maxScaledDiff(margin, f.margin)}`,
      );
      const pred = marginToPrediction(model.objective, margin, model.outputs);
      assert.ok(maxScaledDiff(pred, f.pred) < 1e-6, `prediction differs by ${maxScaledDiff(pred, f.pred)}`);
    }
  });

  test(`${f.name}: summing the leaves in float32, as XGBoost does, gives its margins exactly`, () => {
    const model = importXgboostJson(f.model);
    const K = model.outputs;
    const perTree = model.trees.map((tree, t) =>
      predictMargin(
        {
          ...model,
          trees: [tree],
          treeOutput: model.treeOutput.subarray(t, t + 1),
          baseMargin: new Float64Array(K),
        },
        f.X,
      ),
    );
    for (let i = 0; i < f.margin.length; i++) {
      let m = Math.fround(model.baseMargin[i % K]);
      perTree.forEach((p, t) => {
        if (model.treeOutput[t] === i % K) m = Math.fround(m + p[i]);
      });
      assert.equal(m, Math.fround(f.margin[i]), `row ${Math.floor(i / K)} output ${i % K}`);
    }
  });
}

test("importXgboostJson names features f0.. when the model has none, and reads XGBoost's own names", () => {
  const iris = fixtures.find((f) => f.name === 'iris_multiclass')!;
  assert.deepEqual(importXgboostJson(iris.model).featureNames, ['f0', 'f1', 'f2', 'f3']);
  const cancer = fixtures.find((f) => f.name === 'breast_cancer_binary')!;
  assert.equal(importXgboostJson(cancer.model).featureNames[0], 'mean radius');
});

test('categorical splits keep XGBoost semantics: listed categories go right in XGBoost, so Cairn swaps', () => {
  const housing = fixtures.find((f) => f.name === 'california_categorical')!;
  const model = importXgboostJson(housing.model);
  const ocean = housing.features.indexOf('ocean_proximity');
  assert.equal(model.categoryCounts[ocean], 5);
  assert.ok(model.trees.some((t) => t.catCodes.length > 0));
  // Declared counts win over the inferred ones, and may not be smaller than a split's codes.
  const counts = new Int32Array(housing.features.length);
  counts[ocean] = 7;
  assert.equal(importXgboostJson(housing.model, { categoryCounts: counts }).categoryCounts[ocean], 7);
  counts[ocean] = 2;
  assert.throws(
    () => importXgboostJson(housing.model, { categoryCounts: counts }),
    /categoryCounts.*at least 5/,
  );
});

test('binary base_score is stored as a probability and imported as its logit', () => {
  const cancer = fixtures.find((f) => f.name === 'breast_cancer_binary')!;
  const model = importXgboostJson(cancer.model);
  const p = Math.fround(0.6274165);
  assert.ok(Math.abs(model.baseMargin[0] - Math.log(p / (1 - p))) < 1e-6);
});

test('float32Threshold: x < T exactly when fround(x) < t, at the boundary and for special values', () => {
  const up = (x: number, n = 1) => {
    const f = new Float64Array([x]);
    const b = new BigInt64Array(f.buffer);
    b[0] += BigInt(x >= 0 ? n : -n);
    return f[0];
  };
  let seed = 12345;
  const ts = [0, -0, 1, -1, 2 ** -149, -(2 ** -149), 3.4028234663852886e38, -3.4028234663852886e38, Infinity];
  for (let i = 0; i < 2000; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    ts.push(Math.fround((seed / 2 ** 32 - 0.5) * 10 ** ((i % 20) - 10)));
  }
  for (const t of ts) {
    const T = float32Threshold(t);
    for (const x of [T, up(T, -1), up(T), up(T, -2), up(T, 2), t, up(t, -1), up(t)]) {
      if (!Number.isFinite(x)) continue;
      assert.equal(x < T, Math.fround(x) < t, `t=${t} T=${T} x=${x}`);
    }
  }
  // Comparing float64 inputs with the float32 thresholds as they stand sends real rows the other
  // way: 0.1 rounds up to 0.100000001490116…, so XGBoost sends 0.1 right of t = fround(0.1).
  assert.equal(0.1 < Math.fround(0.1), true);
  assert.equal(0.1 < float32Threshold(Math.fround(0.1)), false);
  const iris = fixtures.find((f) => f.name === 'iris_multiclass')!;
  const model = importXgboostJson(iris.model);
  const naive = {
    ...model,
    trees: model.trees.map((t) => ({ ...t, threshold: t.threshold.map(Math.fround) })),
  };
  assert.ok(maxDiff(predictMargin(naive, iris.X), iris.margin) > 0.01);
});

test('XGBoost text with bare NaN and Infinity parses; strings holding those words are left alone', () => {
  const parsed = parseXgboostText('{"a":[NaN,-Infinity,Infinity,1E0],"b":"NaN Infinity \\" NaN"}') as {
    a: unknown[];
    b: string;
  };
  assert.deepEqual(parsed.a, ['NaN', '-Infinity', 'Infinity', 1]);
  assert.equal(parsed.b, 'NaN Infinity " NaN');
});

function expectError(json: unknown, code: string, message: RegExp) {
  assert.throws(
    () => importXgboostJson(json),
    (error: unknown) => error instanceof CairnError && error.code === code && message.test(error.message),
  );
}

test('unsupported boosters, objectives and tree kinds give UNSUPPORTED_FORMAT naming them', () => {
  const base = parseXgboostText(fixtures[0].model) as {
    learner: {
      gradient_booster: { name: string; model: { trees: { tree_param: Record<string, string> }[] } };
      objective: { name: string };
      learner_model_param: Record<string, string>;
    };
  };
  const variant = (edit: (m: typeof base) => void) => {
    const m = structuredClone(base);
    edit(m);
    return m;
  };
  expectError(
    variant((m) => (m.learner.gradient_booster.name = 'dart')),
    'UNSUPPORTED_FORMAT',
    /booster 'dart'/,
  );
  expectError(
    variant((m) => (m.learner.gradient_booster.name = 'gblinear')),
    'UNSUPPORTED_FORMAT',
    /'gblinear'/,
  );
  expectError(
    variant((m) => (m.learner.objective.name = 'count:poisson')),
    'UNSUPPORTED_FORMAT',
    /'count:poisson'/,
  );
  expectError(
    variant((m) => (m.learner.learner_model_param.num_target = '2')),
    'UNSUPPORTED_FORMAT',
    /multi-target/,
  );
  expectError(
    variant((m) => (m.learner.gradient_booster.model.trees[0].tree_param.size_leaf_vector = '3')),
    'UNSUPPORTED_FORMAT',
    /vector-leaf/,
  );
  expectError('binf\u0000\u0000', 'UNSUPPORTED_FORMAT', /not JSON/);
  expectError('{i\u0007learner{', 'UNSUPPORTED_FORMAT', /not JSON/); // UBJSON
});

test('malformed models give INVALID_ARGUMENT naming the field, never a crash', () => {
  const text = fixtures[0].model;
  const base = parseXgboostText(text) as {
    learner: {
      gradient_booster: { model: { trees: Record<string, unknown>[]; tree_info: unknown } };
      learner_model_param: Record<string, unknown>;
      feature_names: unknown;
    };
  };
  const variant = (edit: (m: typeof base) => void) => {
    const m = structuredClone(base);
    edit(m);
    return m;
  };
  const tree = (m: typeof base) => m.learner.gradient_booster.model.trees[0];
  expectError(text.slice(0, 200), 'INVALID_ARGUMENT', /not valid JSON/);
  expectError(null, 'INVALID_ARGUMENT', /'\(model\)' must be an object/);
  expectError({}, 'INVALID_ARGUMENT', /'learner' must be an object/);
  expectError(
    variant((m) => delete tree(m).left_children),
    'INVALID_ARGUMENT',
    /trees\[0\]\.left_children' must be an array/,
  );
  expectError(
    variant((m) => (tree(m).right_children as number[]).pop()),
    'INVALID_ARGUMENT',
    /right_children' has \d+ entries/,
  );
  expectError(
    variant((m) => ((tree(m).left_children as number[])[1] = 0)),
    'INVALID_ARGUMENT',
    /node 1 has children 0/,
  );
  expectError(
    variant((m) => ((tree(m).left_children as number[])[0] = 999)),
    'INVALID_ARGUMENT',
    /children 999/,
  );
  expectError(
    variant((m) => {
      const left = tree(m).left_children as number[];
      const right = tree(m).right_children as number[];
      right[0] = left[0]!; // both children the same node: reached twice
    }),
    'INVALID_ARGUMENT',
    /reaches node \d+ twice/,
  );
  expectError(
    variant((m) => ((tree(m).split_indices as number[])[0] = 99)),
    'INVALID_ARGUMENT',
    /split_indices\[0\]' is 99/,
  );
  expectError(
    variant((m) => ((tree(m).split_conditions as unknown[])[0] = 'x')),
    'INVALID_ARGUMENT',
    /split_conditions\[0\]' must be a number/,
  );
  expectError(
    variant((m) => ((tree(m).default_left as unknown[])[0] = 2)),
    'INVALID_ARGUMENT',
    /default_left\[0\]' must be 0 or 1/,
  );
  expectError(
    variant((m) => (m.learner.gradient_booster.model.tree_info = [5])),
    'INVALID_ARGUMENT',
    /tree_info' has 1 entries/,
  );
  expectError(
    variant((m) => (m.learner.learner_model_param.base_score = '1.5E0')),
    'INVALID_ARGUMENT',
    /probability in \(0, 1\)/,
  );
  expectError(
    variant((m) => (m.learner.learner_model_param.num_class = '3')),
    'INVALID_ARGUMENT',
    /num_class' is 3/,
  );
  expectError(
    variant((m) => (m.learner.feature_names = ['a'])),
    'INVALID_ARGUMENT',
    /feature_names' has 1 names/,
  );
});

test('multi:softmax imports like multi:softprob; base_score as a vector (XGBoost ≥ 3.1) is per class', () => {
  const iris = fixtures.find((f) => f.name === 'iris_multiclass')!;
  const m = parseXgboostText(iris.model) as {
    learner: { objective: { name: string }; learner_model_param: Record<string, string> };
  };
  m.learner.objective.name = 'multi:softmax';
  m.learner.learner_model_param.base_score = '[1E-1,2E-1,3E-1]';
  const model = importXgboostJson(m);
  assert.equal(model.objective, 'multiclass');
  assert.deepEqual(Array.from(model.baseMargin), [0.1, 0.2, 0.3].map(Math.fround));
});
