import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CairnError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import {
  kFold,
  strataByClass,
  strataByQuantile,
  stratifiedKFold,
  timeOrderedSplit,
  timeSeriesFolds,
  trainTestSplit,
  type Split,
  type Strata,
} from './index.js';

/** Imbalanced labels: 3 classes of 700, 250 and 43 rows, in a scrambled order. */
function labels(): Float64Array {
  const y = new Float64Array(993);
  y.fill(1, 700, 950);
  y.fill(2, 950);
  return new Random(3).shuffle(y);
}

function assertPartition(splits: readonly Split[], rows: number, what: string): void {
  const seen = new Uint32Array(rows);
  for (const { train, test } of splits) {
    assert.equal(train.length + test.length, rows, `${what}: train + test cover every row`);
    const inTest = new Uint8Array(rows);
    for (const i of test) {
      inTest[i] = 1;
      seen[i]++;
    }
    for (const i of train) assert.equal(inTest[i], 0, `${what}: row ${i} in both train and test`);
    for (let k = 1; k < test.length; k++) assert.ok(test[k] > test[k - 1], `${what}: test ascending`);
  }
  if (splits.length > 1)
    assert.ok(
      seen.every((c) => c === 1),
      `${what}: every row tested exactly once`,
    );
}

/** Each stratum's count in `index` is within one row of `share` × its size. */
function assertProportions(index: Uint32Array, strata: Strata, share: number, what: string): void {
  const sizes = new Float64Array(strata.count);
  const counts = new Float64Array(strata.count);
  for (const id of strata.ids) sizes[id]++;
  for (const i of index) counts[strata.ids[i]]++;
  sizes.forEach((size, s) => {
    const exact = size * share;
    assert.ok(Math.abs(counts[s] - exact) < 1, `${what}: stratum ${s} has ${counts[s]} rows; exact ${exact}`);
  });
}

test('stratified train/test split: proportions within one row, deterministic by seed', () => {
  const y = labels();
  const strata = strataByClass(y);
  assert.equal(strata.count, 3);
  const split = trainTestSplit(y.length, { testFraction: 0.3, seed: 7, strata });
  assert.equal(split.test.length, Math.round(0.3 * y.length));
  assertPartition([split], y.length, 'split');
  assertProportions(split.test, strata, split.test.length / y.length, 'test');
  assertProportions(split.train, strata, split.train.length / y.length, 'train');
  assert.deepEqual(trainTestSplit(y.length, { testFraction: 0.3, seed: 7, strata }), split);
  assert.notDeepEqual(trainTestSplit(y.length, { testFraction: 0.3, seed: 8, strata }).test, split.test);
});

test('regression stratifies by quantile bins of y', () => {
  const random = new Random(11);
  const y = Float64Array.from({ length: 1001 }, () => Math.exp(3 * random.normal()));
  const strata = strataByQuantile(y, 10);
  const sizes = new Uint32Array(10);
  for (const id of strata.ids) sizes[id]++;
  assert.ok(
    sizes.every((s) => s === 100 || s === 101),
    `bin sizes ${Array.from(sizes).join(',')}`,
  );
  // Bins follow y: every row of bin b is <= every row of bin b + 1.
  const max = new Float64Array(10).fill(-Infinity);
  const min = new Float64Array(10).fill(Infinity);
  strata.ids.forEach((b, i) => ((max[b] = Math.max(max[b], y[i])), (min[b] = Math.min(min[b], y[i]))));
  for (let b = 1; b < 10; b++) assert.ok(max[b - 1] <= min[b]);
  const split = trainTestSplit(y.length, { testFraction: 0.2, seed: 1, strata });
  assertProportions(split.test, strata, split.test.length / y.length, 'test');
});

test('k-fold and stratified k-fold partition every row exactly once', () => {
  const y = labels();
  const folds = kFold(y.length, { folds: 5, seed: 3 });
  assertPartition(folds, y.length, 'kFold');
  const sizes = folds.map((f) => f.test.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes.join(',')}`);
  assert.deepEqual(kFold(y.length, { folds: 5, seed: 3 }), folds);

  const strata = strataByClass(y);
  const stratified = stratifiedKFold(strata, { folds: 4, seed: 3 });
  assertPartition(stratified, y.length, 'stratifiedKFold');
  for (const fold of stratified) assertProportions(fold.test, strata, 1 / 4, 'fold');
  const counts = stratified.map((f) => f.test.length);
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `fold sizes ${counts.join(',')}`);
  assert.deepEqual(stratifiedKFold(strata, { folds: 4, seed: 3 }), stratified);
  assert.notDeepEqual(stratifiedKFold(strata, { folds: 4, seed: 4 }), stratified);

  const blocks = kFold(10, { folds: 3, shuffle: false });
  assert.deepEqual(
    blocks.map((f) => Array.from(f.test)),
    [
      [0, 1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ],
  );
});

test('time-ordered split trains on earlier rows and keeps equal times together', () => {
  // Day of each row, unsorted; day 7 has four rows and straddles the 75 % cut.
  const order = new Float64Array([3, 1, 7, 2, 9, 7, 4, 7, 5, 6, 8, 7]);
  const split = timeOrderedSplit(order, { testFraction: 0.25 });
  assert.equal(split.cutoff, 7);
  assert.deepEqual(
    Array.from(split.train, (i) => order[i]),
    [1, 2, 3, 4, 5, 6],
  );
  assert.deepEqual(
    Array.from(split.test, (i) => order[i]),
    [7, 7, 7, 7, 8, 9],
  );
  const gapped = timeOrderedSplit(order, { testFraction: 0.25, gap: 2 });
  assert.deepEqual(
    Array.from(gapped.train, (i) => order[i]),
    [1, 2, 3, 4, 5],
  );

  const folds = timeSeriesFolds(
    Float64Array.from({ length: 60 }, (_, i) => i),
    { folds: 5 },
  );
  assert.equal(folds.length, 5);
  folds.forEach((fold, f) => {
    assert.equal(fold.train.length, 10 * (f + 1));
    assert.equal(fold.test.length, 10);
    assert.ok(fold.train.at(-1)! < fold.test[0]);
  });
  assert.throws(
    () => timeOrderedSplit(new Float64Array([5, 5, 5, 5])),
    (e: unknown) =>
      e instanceof CairnError && /every row before the cut shares one order value/.test(e.message),
  );
});

test('bad split arguments are refused with the value', () => {
  assert.throws(
    () => trainTestSplit(10, { testFraction: 1 }),
    /testFraction is 1; expected a number in \(0, 1\)/,
  );
  assert.throws(() => kFold(3, { folds: 4 }), /folds is 4; expected a whole number from 2 to the 3 rows/);
  assert.throws(() => strataByClass(new Float64Array([0, NaN])), /y\[1\] is NaN/);
});
