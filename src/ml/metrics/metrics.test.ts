import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  accuracyAt,
  binaryConfusion,
  calibrationCurve,
  classificationCurves,
  classificationReport,
  f1At,
  multiclassReport,
  precisionAt,
  precisionRecallCurve,
  recallAt,
  regressionReport,
  rocCurve,
} from './index.js';

/**
 * Every figure here is scikit-learn 1.2's on real predictions (breast cancer, iris, California
 * housing), written by test/fixtures/metrics/make_reference.py. Tolerance: 1e-12 relative, i.e.
 * agreement up to summation order.
 */

interface BinaryCase {
  y_true: number[];
  scores: number[];
  weights?: number[];
  threshold: number;
  auc: number;
  pr_auc: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: number[];
  logloss?: number;
  brier?: number;
  roc?: { fpr: number[]; tpr: number[]; thresholds: number[] };
  pr?: { precision: number[]; recall: number[]; thresholds: number[] };
}
interface CalibrationSet {
  y_true: number[];
  scores: number[];
  cases: { n_bins: number; strategy: 'uniform' | 'quantile'; observed: number[]; predicted: number[] }[];
}
interface MulticlassCase {
  y_true: number[];
  probabilities: number[];
  classes: number;
  weights?: number[];
  accuracy: number;
  macro_f1: number;
  logloss: number;
  precision: number[];
  recall: number[];
  f1: number[];
  confusion: number[];
}
interface RegressionCase {
  y_true: number[];
  y_pred: number[];
  weights?: number[];
  rmse: number;
  mae: number;
  r2: number;
  mape: number;
}
interface Reference {
  binary: Record<string, BinaryCase>;
  calibration: CalibrationSet[];
  multiclass: Record<string, MulticlassCase>;
  regression: Record<string, RegressionCase>;
}

const reference = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/metrics/reference.json', import.meta.url), 'utf8'),
) as Reference;

function close(actual: number, expected: number, what: string, tol = 1e-12): void {
  const ok = actual === expected || Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));
  assert.ok(ok, `${what}: ${actual} vs scikit-learn ${expected}`);
}

function closeAll(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) close(actual[i], expected[i], `${what}[${i}]`);
}

for (const [name, c] of Object.entries(reference.binary)) {
  test(`binary metrics match scikit-learn: ${name}`, () => {
    const y = Uint8Array.from(c.y_true);
    const s = Float64Array.from(c.scores);
    const options = { threshold: c.threshold, sampleWeight: c.weights && Float64Array.from(c.weights) };
    const { tn, fp, fn, tp } = binaryConfusion(y, s, options);
    closeAll([tn, fp, fn, tp], c.confusion, 'confusion');
    close(accuracyAt(y, s, options), c.accuracy, 'accuracy');
    close(precisionAt(y, s, options), c.precision, 'precision');
    close(recallAt(y, s, options), c.recall, 'recall');
    close(f1At(y, s, options), c.f1, 'f1');
    if (c.logloss !== undefined && c.brier !== undefined) {
      const report = classificationReport(y, s, options);
      close(report.auc, c.auc, 'auc');
      close(report.pr_auc, c.pr_auc, 'pr_auc');
      close(report.logloss, c.logloss, 'logloss');
      close(report.brier, c.brier, 'brier');
      close(report.f1, c.f1, 'report f1');
      assert.deepEqual(Object.keys(report).slice(0, 8), [
        'auc',
        'pr_auc',
        'logloss',
        'accuracy',
        'precision',
        'recall',
        'f1',
        'brier',
      ]);
    }
    if (c.roc && c.pr) {
      const roc = rocCurve(y, s, { ...options, maxPoints: Infinity });
      closeAll(roc.fpr, c.roc.fpr, 'roc fpr');
      closeAll(roc.tpr, c.roc.tpr, 'roc tpr');
      assert.equal(roc.thresholds[0], Infinity);
      closeAll(roc.thresholds.subarray(1), c.roc.thresholds, 'roc thresholds');
      // scikit-learn lists PR points by ascending threshold and ends with (recall 0, precision 1).
      const pr = precisionRecallCurve(y, s, { ...options, maxPoints: Infinity });
      closeAll(pr.precision, [...c.pr.precision].reverse(), 'pr precision');
      closeAll(pr.recall, [...c.pr.recall].reverse(), 'pr recall');
      closeAll(pr.thresholds.subarray(1), [...c.pr.thresholds].reverse(), 'pr thresholds');
    }
  });
}

test('calibration curves match scikit-learn (uniform and quantile bins, ties on edges)', () => {
  for (const set of reference.calibration) {
    for (const c of set.cases) {
      const curve = calibrationCurve(Uint8Array.from(set.y_true), Float64Array.from(set.scores), {
        bins: c.n_bins,
        strategy: c.strategy,
      });
      const what = `${c.strategy} ${c.n_bins} bins`;
      closeAll(curve.observedRate, c.observed, `${what} observed`);
      closeAll(curve.meanPredicted, c.predicted, `${what} predicted`);
      assert.equal(
        curve.count.reduce((a, b) => a + b, 0),
        set.y_true.length,
      );
    }
  }
});

for (const [name, c] of Object.entries(reference.multiclass)) {
  test(`multiclass metrics match scikit-learn: ${name}`, () => {
    const sampleWeight = c.weights && Float64Array.from(c.weights);
    const report = multiclassReport(
      Int32Array.from(c.y_true),
      Float64Array.from(c.probabilities),
      c.classes,
      {
        sampleWeight,
      },
    );
    close(report.accuracy, c.accuracy, 'accuracy');
    close(report.macro_f1, c.macro_f1, 'macro_f1');
    close(report.logloss, c.logloss, 'logloss');
    closeAll(
      report.per_class.map((p) => p.precision),
      c.precision,
      'precision',
    );
    closeAll(
      report.per_class.map((p) => p.recall),
      c.recall,
      'recall',
    );
    closeAll(
      report.per_class.map((p) => p.f1),
      c.f1,
      'f1',
    );
    closeAll(report.confusion, c.confusion, 'confusion');
  });
}

for (const [name, c] of Object.entries(reference.regression)) {
  test(`regression metrics match scikit-learn: ${name}`, () => {
    const sampleWeight = c.weights && Float64Array.from(c.weights);
    const report = regressionReport(Float64Array.from(c.y_true), Float64Array.from(c.y_pred), {
      sampleWeight,
    });
    close(report.rmse, c.rmse, 'rmse');
    close(report.mae, c.mae, 'mae');
    close(report.r2, c.r2, 'r2');
    close(report.mape, c.mape, 'mape');
    assert.equal(report.mape_zero_targets, 0);
  });
}

test('curves are thinned to maxPoints, keep both ends and serialise to JSON', () => {
  const c = reference.binary['breast_cancer_weak_weighted'];
  const y = Uint8Array.from(c.y_true);
  const s = Float64Array.from(c.scores);
  const full = rocCurve(y, s, { maxPoints: Infinity });
  const thin = rocCurve(y, s, { maxPoints: 20 });
  assert.ok(full.fpr.length > 20);
  assert.ok(thin.fpr.length <= 20 && thin.fpr.length >= 15, `${thin.fpr.length} points`);
  assert.deepEqual([thin.fpr[0], thin.tpr[0], thin.fpr.at(-1), thin.tpr.at(-1)], [0, 0, 1, 1]);
  for (let i = 1; i < thin.fpr.length; i++) {
    assert.ok(thin.fpr[i] >= thin.fpr[i - 1] && thin.tpr[i] >= thin.tpr[i - 1]);
  }
  const curves = classificationCurves(y, s, {
    maxPoints: 30,
    calibration: { bins: 5, strategy: 'quantile' },
  });
  assert.ok(curves.roc.fpr.length <= 30 && curves.pr.recall.length <= 30);
  assert.deepEqual(
    curves.calibration.count.reduce((a, b) => a + b, 0),
    y.length,
  );
  const json = JSON.parse(JSON.stringify(curves)) as { roc: { thresholds: (number | null)[] } };
  assert.equal(json.roc.thresholds[0], null);
});
