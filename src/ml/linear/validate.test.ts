import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CairnError } from '../../core/errors.js';
import { featureMatrix } from '../matrix.js';
import { fitLinear, LinearModel } from './linear.js';
import { fitLogistic, LogisticModel, type LogisticParams } from './logistic.js';

/** Bad input to the linear models: every case is a CairnError INVALID_ARGUMENT naming the problem. */
const X = featureMatrix(
  [
    [1, 2, 3, 4, 5, 6],
    [0, 1, 2, 0, 1, 2],
  ],
  ['size', 'colour'],
  [0, 3],
);
const y = Float64Array.of(0, 1, 0, 1, 1, 0);

function rejects(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CairnError, String(error));
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.match(error.message, message);
    return true;
  });
}

test('mismatched lengths are refused', () => {
  rejects(() => fitLogistic(X, y.subarray(0, 5)), /fitLogistic: y has 5 values but X has 6 rows/);
  rejects(() => fitLinear(X, new Float64Array(7)), /fitLinear: y has 7 values but X has 6 rows/);
  rejects(() => fitLogistic(X, y, {}, { weights: new Float64Array(3) }), /weights has 3 values/);
  rejects(() => fitLinear({ ...X, data: new Float64Array(5) }, y), /not a 6 × 2 feature matrix/);
  rejects(
    () => fitLinear({ ...X, rows: 0, data: new Float64Array(0) }, new Float64Array(0)),
    /X has no rows/,
  );
});

test('non-finite targets, weights and features are refused', () => {
  rejects(
    () => fitLinear(X, Float64Array.of(1, 2, NaN, 4, 5, 6)),
    /y holds NaN at row 2; targets must be finite/,
  );
  rejects(() => fitLogistic(X, Float64Array.of(0, 1, 0, Infinity, 1, 0)), /y holds Infinity at row 3/);
  rejects(
    () => fitLogistic(X, y, {}, { weights: Float64Array.of(1, 1, -1, 1, 1, 1) }),
    /weights holds -1 at row 2/,
  );
  rejects(() => fitLogistic(X, y, {}, { weights: new Float64Array(6) }), /weights sum to 0/);
  const infinite = { ...X, data: Float64Array.from(X.data, (v, i) => (i === 4 ? Infinity : v)) };
  rejects(
    () => fitLinear(infinite, y),
    /feature 'size' holds Infinity at row 4; use NaN for a missing value/,
  );
});

test('class codes must be 0..k-1 with at least two classes present', () => {
  rejects(
    () => fitLogistic(X, new Float64Array(6)),
    /y holds a single class \(0\); logistic regression needs at least two/,
  );
  rejects(() => fitLogistic(X, Float64Array.of(0, 2, 0, 2, 2, 0)), /class 1 has no rows/);
  rejects(
    () => fitLogistic(X, Float64Array.of(0, 1, 0.5, 1, 1, 0)),
    /y holds 0.5 at row 2; expected class codes/,
  );
  rejects(() => fitLogistic(X, Float64Array.of(0, 1, -1, 1, 1, 0)), /y holds -1 at row 2/);
  rejects(
    () => fitLogistic(X, Float64Array.of(0, 1, 1e9, 1, 1, 0)),
    /y holds class code 1000000000 with 6 rows/,
  );
  rejects(
    () => fitLogistic(X, y, {}, { weights: Float64Array.of(0, 1, 0, 1, 1, 0) }),
    /class 0 has total weight 0/,
  );
});

test('parameters out of range are refused with the accepted range', () => {
  const bad: [LogisticParams, RegExp][] = [
    [{ C: 0 }, /'C' is 0; expected a number ≥/],
    [{ C: NaN }, /'C' is NaN/],
    [{ penalty: 'l3' as 'l2' }, /'penalty' is 'l3'; expected one of 'l2', 'l1', 'elasticnet', 'none'/],
    [{ l1Ratio: 1.5 }, /'l1Ratio' is 1.5; expected a number in \[0, 1\]/],
    [{ maxIter: 2.5 }, /'maxIter' is 2.5; expected an integer ≥ 1/],
    [{ classWeights: [1] }, /'classWeights' must be 'balanced' or 2 positive numbers/],
    [{ fitIntercept: false as true }, /'fitIntercept' must be true/],
  ];
  for (const [params, message] of bad) rejects(() => fitLogistic(X, y, params), message);
  rejects(
    () => fitLinear(X, y, { penalty: 'l1', alpha: -1 }),
    /fitLinear: 'alpha' is -1; expected a number ≥ 0/,
  );
  rejects(() => fitLinear(X, y, { penalty: 'lasso' as 'l1' }), /'penalty' is 'lasso'/);
});

test('prediction needs the training features in order', () => {
  const model = fitLogistic(X, y);
  const swapped = featureMatrix(
    [
      [0, 1],
      [1, 2],
    ],
    ['colour', 'size'],
    [3, 0],
  );
  rejects(
    () => model.predictProba(swapped),
    /LogisticModel.predictProba: X has features \[colour, size\]; the model was trained on \[size, colour\]/,
  );
  const linear = fitLinear(X, y);
  rejects(
    () => linear.predict(featureMatrix([[1]], ['size'])),
    /LinearModel.predict: X has features \[size\]/,
  );
});

test('fromJSON refuses other formats, versions and damaged numbers', () => {
  const model = fitLogistic(X, y);
  const json = model.toJSON();
  rejects(() => LogisticModel.fromJSON(null), /LogisticModel.fromJSON: expected a JSON object/);
  rejects(
    () => LogisticModel.fromJSON({ ...json, format: 'cairn-linear' }),
    /'format' is "cairn-linear"; expected 'cairn-logistic'/,
  );
  rejects(
    () => LogisticModel.fromJSON({ ...json, version: 2 }),
    /'version' is 2; this build reads version 1/,
  );
  rejects(
    () => LogisticModel.fromJSON({ ...json, coefficients: [1, 2] }),
    /'coefficients' must be an array of 4 finite numbers/,
  );
  const linear = fitLinear(X, y).toJSON();
  rejects(() => LinearModel.fromJSON({ ...linear, intercept: 'x' }), /'intercept' must be a finite number/);
  rejects(
    () => LinearModel.fromJSON({ ...linear, design: { ...linear.design, scales: [1, 0] } }),
    /'design.scales' must be positive/,
  );
});
