import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CairnError } from '../../core/errors.js';
import {
  averagePrecision,
  calibrationCurve,
  classificationReport,
  logLoss,
  mape,
  multiclassLogLoss,
  perClassScores,
  precisionRecallCurve,
  r2,
  rmse,
  rocAuc,
  rocCurve,
  thinCurve,
} from './index.js';

function invalid(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof CairnError, `expected a CairnError, got ${String(error)}`);
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.match(error.message, pattern);
    return true;
  };
}

test('a single class in y_true is refused by name, with the reason', () => {
  const ones = new Uint8Array([1, 1, 1]);
  const zeros = new Uint8Array([0, 0, 0]);
  const s = new Float64Array([0.2, 0.5, 0.9]);
  assert.throws(() => rocAuc(ones, s), invalid(/^roc_auc: only positive \(1\) rows .* needs both classes/));
  assert.throws(() => rocAuc(zeros, s), invalid(/^roc_auc: only negative \(0\) rows/));
  assert.throws(() => rocCurve(zeros, s), invalid(/^roc_curve: only negative/));
  assert.throws(() => averagePrecision(zeros, s), invalid(/^average_precision: no positive \(1\) rows/));
  assert.throws(() => precisionRecallCurve(zeros, s), invalid(/^precision_recall_curve: no positive/));
  assert.throws(() => classificationReport(ones, s), invalid(/^roc_auc: only positive/));
  // With all rows positive, precision is 1 at every threshold: defined, and 1.
  assert.equal(averagePrecision(ones, s), 1);
  // Weight 0 removes a row: the only negative here carries no weight.
  const y = new Uint8Array([0, 1, 1]);
  assert.throws(() => rocAuc(y, s, { sampleWeight: new Float64Array([0, 1, 1]) }), invalid(/only positive/));
});

test('bad inputs name the metric, the argument, the row and the value', () => {
  const s = new Float64Array([0.1, 0.2, 0.3]);
  assert.throws(
    () => rocAuc(new Float64Array([0, 2, 1]), s),
    invalid(/^roc_auc: y_true\[1\] is 2; expected 0 or 1$/),
  );
  assert.throws(
    () => rocAuc(new Uint8Array([0, 1, 1]), new Float64Array([0.1, NaN, 0.3])),
    invalid(/^roc_auc: 'scores'\[1\] is NaN/),
  );
  assert.throws(() => rocAuc(new Uint8Array([0, 1]), s), invalid(/'scores' has 3 rows but y_true has 2/));
  assert.throws(() => rocAuc(new Uint8Array(0), new Float64Array(0)), invalid(/y_true is empty/));
  assert.throws(
    () => logLoss(new Uint8Array([0, 1, 1]), new Float64Array([0.1, 1.2, 0.3])),
    invalid(/^log_loss: 'probabilities'\[1\] is 1.2; expected a probability in \[0, 1\]/),
  );
  assert.throws(
    () => rocAuc(new Uint8Array([0, 1, 1]), s, { sampleWeight: new Float64Array([1, -1, 1]) }),
    invalid(/sampleWeight\[1\] is -1/),
  );
  assert.throws(
    () => rmse(new Float64Array([1, Infinity]), new Float64Array([1, 2])),
    invalid(/^rmse: 'y_true'\[1\] is Infinity/),
  );
  assert.throws(
    () => multiclassLogLoss(new Int32Array([0, 3]), new Float64Array(6).fill(1 / 3), 3),
    invalid(/^log_loss: y_true\[1\] is 3; expected a class code from 0 to 2/),
  );
  assert.throws(
    () => calibrationCurve(new Uint8Array([0, 1]), new Float64Array([0.1, 0.2]), { bins: 0 }),
    invalid(/^calibration_curve: bins is 0/),
  );
});

test('ties count one half: AUC equals the Mann–Whitney statistic with average ranks', () => {
  const y = new Uint8Array([1, 0, 1, 0, 1, 1, 0, 0, 1, 0]);
  const s = new Float64Array([3, 3, 2, 2, 2, 1, 1, 5, 5, 0]);
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    for (let j = 0; j < y.length; j++) {
      if (y[i] === 1 && y[j] === 0) {
        pairs++;
        wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
    }
  }
  assert.equal(rocAuc(y, s), wins / pairs);
  assert.equal(rocAuc(y, new Float64Array(10).fill(0.3)), 0.5);
  // Ranking metrics accept a decision function's ±Infinity.
  assert.equal(rocAuc(new Uint8Array([0, 1]), new Float64Array([-Infinity, Infinity])), 1);
  // Integer weights act as repeated rows.
  const w = new Float64Array([2, 1, 1, 3, 1, 1, 1, 2, 1, 1]);
  const rep = (values: ArrayLike<number>) =>
    Float64Array.from(Array.from(w).flatMap((k, i) => new Array<number>(k).fill(values[i])));
  assert.equal(rocAuc(y, s, { sampleWeight: w }), rocAuc(rep(y), rep(s)));
  assert.equal(averagePrecision(y, s, { sampleWeight: w }), averagePrecision(rep(y), rep(s)));
});

test('constant scores: AUC 0.5, AP the prevalence, a two-point ROC curve', () => {
  const y = new Uint8Array([0, 1, 1, 0, 1]);
  const s = new Float64Array(5).fill(0.7);
  assert.equal(rocAuc(y, s), 0.5);
  assert.equal(averagePrecision(y, s), 0.6);
  const roc = rocCurve(y, s);
  assert.deepEqual(
    [Array.from(roc.fpr), Array.from(roc.tpr)],
    [
      [0, 1],
      [0, 1],
    ],
  );
});

test('log-loss clips certain mistakes to about 36 nats instead of Infinity', () => {
  const loss = logLoss(new Uint8Array([1]), new Float64Array([0]));
  assert.ok(Math.abs(loss + Math.log(2.220446049250313e-16)) < 1e-12, `${loss}`);
});

test('MAPE skips zero targets and says how many', () => {
  const y = new Float64Array([100, 0, 50, 0, 200]);
  const p = new Float64Array([110, 5, 40, -3, 200]);
  assert.deepEqual(mape(y, p), { mape: (0.1 + 0.2 + 0) / 3, skippedZeroTargets: 2 });
  assert.throws(
    () => mape(new Float64Array(2), new Float64Array([1, 2])),
    invalid(/every one of the 2 targets is 0/),
  );
});

test('R² of a constant target follows scikit-learn: 1 if perfect, else 0', () => {
  const y = new Float64Array([3, 3, 3]);
  assert.equal(r2(y, new Float64Array([3, 3, 3])), 1);
  assert.equal(r2(y, new Float64Array([3, 4, 3])), 0);
});

test('macro F1 averages over classes seen in y_true or y_pred only', () => {
  const y = new Int32Array([0, 0, 1, 1]);
  const pred = new Int32Array([0, 1, 1, 1]);
  const scores = perClassScores(y, pred, 4);
  assert.deepEqual(Array.from(scores.support), [2, 2, 0, 0]);
  assert.equal(scores.macroF1, (scores.f1[0] + scores.f1[1]) / 2);
});

test('thinCurve keeps short curves whole and bounds long ones', () => {
  const x = Float64Array.from({ length: 1000 }, (_, i) => i / 999);
  const y = Float64Array.from(x, (v) => Math.sqrt(v));
  assert.equal(thinCurve(x.subarray(0, 50), y.subarray(0, 50), 200).length, 50);
  const kept = thinCurve(x, y, 200);
  assert.ok(kept.length <= 200 && kept.length > 150, `${kept.length}`);
  assert.equal(kept[0], 0);
  assert.equal(kept.at(-1), 999);
});
