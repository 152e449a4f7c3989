import { CairnError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import { groupRows, type Split } from './split.js';
import type { Strata } from './strata.js';

/** A fold's train rows are every row not in its test rows; both ascending. */
export type Fold = Split;

export interface KFoldOptions {
  /** Number of folds, 2..rows; default 5. */
  folds?: number;
  seed?: number;
  /** Shuffle rows before dealing them out; default true. Without it folds are contiguous blocks. */
  shuffle?: boolean;
}

/**
 * The fold (0..folds-1) of each row. Unstratified, fold sizes differ by at most one row (the first
 * rows % folds folds get the extra row, as scikit-learn's KFold). Stratified, each stratum's rows
 * are shuffled and dealt round-robin, the deal continuing from one stratum to the next, so every
 * stratum has floor or ceil of size/folds rows in each fold and fold sizes still differ by at most one.
 */
export function assignFolds(rows: number, options: KFoldOptions & { strata?: Strata } = {}): Uint32Array {
  const folds = options.folds ?? 5;
  if (!Number.isInteger(folds) || folds < 2 || folds > rows) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `k_fold: folds is ${folds}; expected a whole number from 2 to the ${rows} rows`,
    );
  }
  const shuffle = options.shuffle ?? true;
  const random = new Random(options.seed ?? 42);
  const foldOf = new Uint32Array(rows);
  if (options.strata === undefined) {
    const order = Uint32Array.from({ length: rows }, (_, i) => i);
    if (shuffle) random.shuffle(order);
    const small = Math.floor(rows / folds);
    const extra = rows % folds;
    let position = 0;
    for (let f = 0; f < folds; f++) {
      const size = small + (f < extra ? 1 : 0);
      for (let k = 0; k < size; k++) foldOf[order[position++]] = f;
    }
    return foldOf;
  }
  if (options.strata.ids.length !== rows) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `k_fold: strata cover ${options.strata.ids.length} rows, not ${rows}`,
    );
  }
  let position = 0;
  for (const members of groupRows(options.strata)) {
    if (shuffle) random.shuffle(members);
    for (const row of members) foldOf[row] = position++ % folds;
  }
  return foldOf;
}

/** Splits of `rows` rows into k folds: fold f tests on its rows and trains on the others. */
export function kFold(rows: number, options: KFoldOptions = {}): Fold[] {
  return foldsOf(assignFolds(rows, options), options.folds ?? 5);
}

/** k folds in which each stratum (strataByClass / strataByQuantile) keeps its proportion within a row. */
export function stratifiedKFold(strata: Strata, options: KFoldOptions = {}): Fold[] {
  return foldsOf(assignFolds(strata.ids.length, { ...options, strata }), options.folds ?? 5);
}

/** Train/test index arrays from a fold assignment (values 0..folds-1). */
export function foldsOf(foldOf: Uint32Array, folds: number): Fold[] {
  const sizes = new Uint32Array(folds);
  for (const f of foldOf) sizes[f]++;
  return Array.from({ length: folds }, (_, f) => {
    const test = new Uint32Array(sizes[f]);
    const train = new Uint32Array(foldOf.length - sizes[f]);
    let a = 0;
    let b = 0;
    for (let i = 0; i < foldOf.length; i++) {
      if (foldOf[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    return { train, test };
  });
}
