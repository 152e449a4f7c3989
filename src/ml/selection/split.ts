import { CairnError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import type { Strata } from './strata.js';

/** Row indices of one split: random splits and k-fold list them ascending, time splits in time order. */
export interface Split {
  readonly train: Uint32Array;
  readonly test: Uint32Array;
}

export interface TrainTestOptions {
  /** Share of rows held out, in (0, 1); default 0.25. */
  testFraction?: number;
  seed?: number;
  /** Stratify by these strata (strataByClass / strataByQuantile); default one stratum. */
  strata?: Strata;
}

/**
 * A seeded random train/test split of `rows` rows, stratified when `strata` is given: the test set
 * holds round(testFraction × rows) rows (at least 1, at most rows − 1), and each stratum contributes
 * the floor or the ceiling of its exact share of them (largest remainders get the ceiling), so every
 * stratum's proportion in the test set is within one row of exact. Rows of a stratum are shuffled
 * by the seed; the same seed and inputs give the same split.
 */
export function trainTestSplit(rows: number, options: TrainTestOptions = {}): Split {
  const testFraction = options.testFraction ?? 0.25;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `train_test_split: testFraction is ${testFraction}; expected a number in (0, 1)`,
    );
  }
  if (!Number.isInteger(rows) || rows < 2) {
    throw new CairnError('INVALID_ARGUMENT', `train_test_split: needs at least 2 rows to split, got ${rows}`);
  }
  const strata = options.strata ?? { ids: new Int32Array(rows), count: 1 };
  if (strata.ids.length !== rows) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `train_test_split: strata cover ${strata.ids.length} rows, not ${rows}`,
    );
  }
  const members = groupRows(strata);
  const total = Math.min(rows - 1, Math.max(1, Math.round(testFraction * rows)));
  const quota = allocate(
    members.map((m) => m.length),
    total,
    rows,
  );
  const random = new Random(options.seed ?? 42);
  const isTest = new Uint8Array(rows);
  members.forEach((rowsOfStratum, s) => {
    random.shuffle(rowsOfStratum);
    for (let k = 0; k < quota[s]; k++) isTest[rowsOfStratum[k]] = 1;
  });
  return partition(isTest, total);
}

/** Rows of each stratum, ascending. */
export function groupRows(strata: Strata): Uint32Array[] {
  const sizes = new Uint32Array(strata.count);
  for (const id of strata.ids) {
    if (id < 0 || id >= strata.count)
      throw new CairnError('INVALID_ARGUMENT', `strata: id ${id} is outside 0..${strata.count - 1}`);
    sizes[id]++;
  }
  const members = Array.from(sizes, (size) => new Uint32Array(size));
  const filled = new Uint32Array(strata.count);
  strata.ids.forEach((id, row) => (members[id][filled[id]++] = row));
  return members;
}

/**
 * Largest-remainder apportionment of `total` test rows over groups of `sizes` (summing to `rows`):
 * group s gets floor or ceil of sizes[s] × total / rows, in integer arithmetic so that an exact
 * share is never nudged by rounding. Equal remainders go to the earlier group.
 */
function allocate(sizes: number[], total: number, rows: number): Uint32Array {
  const quota = Uint32Array.from(sizes, (size) => Math.floor((size * total) / rows));
  let left = total - quota.reduce((a, b) => a + b, 0);
  const byRemainder = sizes
    .map((size, s) => ({ s, remainder: size * total - quota[s] * rows }))
    .filter((g) => g.remainder > 0)
    .sort((a, b) => b.remainder - a.remainder || a.s - b.s);
  for (const { s } of byRemainder) {
    if (left <= 0) break;
    quota[s]++;
    left--;
  }
  return quota;
}

function partition(isTest: Uint8Array, testCount: number): Split {
  const test = new Uint32Array(testCount);
  const train = new Uint32Array(isTest.length - testCount);
  let a = 0;
  let b = 0;
  for (let i = 0; i < isTest.length; i++) {
    if (isTest[i]) test[a++] = i;
    else train[b++] = i;
  }
  return { train, test };
}
