import { CairnError } from '../../core/errors.js';

export type ForestTask = 'binary' | 'multiclass' | 'regression';

/** Hyperparameters of fitRandomForest (scikit-learn's names and defaults, camelCase). */
export interface RandomForestParams {
  task: ForestTask;
  /** Multiclass: number of classes; 0 takes max label + 1. */
  numClass: number;
  /** Trees (per class for multiclass, see forest.ts). */
  nEstimators: number;
  /** Levels below the root; 0 for no limit. */
  maxDepth: number;
  /** Least in-sample rows in a leaf. */
  minSamplesLeaf: number;
  /** Least in-sample rows in a node for it to be split. */
  minSamplesSplit: number;
  /**
   * Features drawn at each split: 'sqrt' or 'log2' of the feature count, a fraction in (0, 1] (1 = all),
   * or a count ≥ 2. Default: 'sqrt' for classification, 1 for regression (scikit-learn's).
   */
  maxFeatures: 'sqrt' | 'log2' | number | undefined;
  /** Each tree on a bootstrap sample (drawn with replacement); false: every tree on all rows. */
  bootstrap: boolean;
  /** Bootstrap draws per tree: a fraction in (0, 1] of the rows or a count ≥ 2; default all rows. */
  maxSamples: number | undefined;
  /** Per-class sample weights (classification), or 'balanced': n / (classes × class count). */
  classWeights: number[] | 'balanced' | undefined;
  seed: number;
  /** Value bins per feature, 2..255; missing values get a bin of their own on top. */
  maxBins: number;
}

export const DEFAULT_FOREST_PARAMS: Readonly<Omit<RandomForestParams, 'task'>> = {
  numClass: 0,
  nEstimators: 100,
  maxDepth: 0,
  minSamplesLeaf: 1,
  minSamplesSplit: 2,
  maxFeatures: undefined,
  bootstrap: true,
  maxSamples: undefined,
  classWeights: undefined,
  seed: 42,
  maxBins: 255,
};

/** Fills defaults and checks every value; throws INVALID_ARGUMENT naming the parameter. */
export function resolveForestParams(
  params: Partial<RandomForestParams>,
  y: Float64Array,
): RandomForestParams {
  // null reads as "default", as scikit-learn's None (max_depth=None: no limit).
  const defined = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== null));
  const task = params.task;
  if (task !== 'binary' && task !== 'multiclass' && task !== 'regression') {
    fail('task', task, "'binary', 'multiclass' or 'regression'");
  }
  const p: RandomForestParams = { ...DEFAULT_FOREST_PARAMS, ...defined, task };
  if (task === 'multiclass' && p.numClass === 0) {
    let max = 0;
    for (let i = 0; i < y.length; i++) if (y[i] > max) max = y[i]!;
    p.numClass = max + 1;
  }
  if (task === 'multiclass') checkInteger('numClass', p.numClass, 2);
  checkInteger('nEstimators', p.nEstimators, 1);
  checkInteger('maxDepth', p.maxDepth, 0);
  checkInteger('minSamplesLeaf', p.minSamplesLeaf, 1);
  checkInteger('minSamplesSplit', p.minSamplesSplit, 2);
  checkInteger('maxBins', p.maxBins, 2);
  if (p.maxBins > 255)
    fail('maxBins', p.maxBins, 'at most 255 (bins are bytes; missing values take one more)');
  checkInteger('seed', p.seed, -(2 ** 31));
  if (typeof p.bootstrap !== 'boolean') fail('bootstrap', p.bootstrap, 'true or false');
  const mf = p.maxFeatures;
  if (mf !== undefined && mf !== 'sqrt' && mf !== 'log2' && !isFractionOrCount(mf)) {
    fail('maxFeatures', mf, "'sqrt', 'log2', a fraction in (0, 1] or a whole count ≥ 2");
  }
  if (p.maxSamples !== undefined && !isFractionOrCount(p.maxSamples)) {
    fail('maxSamples', p.maxSamples, 'a fraction in (0, 1] or a whole count ≥ 2');
  }
  if (p.classWeights !== undefined && p.classWeights !== 'balanced') {
    if (task === 'regression') fail('classWeights', 'given', 'only for binary and multiclass tasks');
    const classes = task === 'binary' ? 2 : p.numClass;
    if (!Array.isArray(p.classWeights) || p.classWeights.length !== classes) {
      fail('classWeights', JSON.stringify(p.classWeights), `'balanced' or ${classes} non-negative numbers`);
    }
    p.classWeights.forEach((w, c) => {
      if (!(typeof w === 'number' && w >= 0 && w < Infinity))
        fail(`classWeights[${c}]`, w, 'a finite number ≥ 0');
    });
  }
  return p;
}

/** Features drawn per split for F features. */
export function featuresPerSplit(p: RandomForestParams, F: number): number {
  const mf = p.maxFeatures ?? (p.task === 'regression' ? 1 : 'sqrt');
  const count = mf === 'sqrt' ? Math.sqrt(F) : mf === 'log2' ? Math.log2(F) : mf <= 1 ? mf * F : mf;
  return Math.min(F, Math.max(1, Math.floor(count)));
}

/** Bootstrap draws per tree for n rows. */
export function drawsPerTree(p: RandomForestParams, n: number): number {
  const ms = p.maxSamples;
  if (ms === undefined) return n;
  return Math.min(n, Math.max(1, ms <= 1 ? Math.round(ms * n) : ms));
}

function isFractionOrCount(v: unknown): boolean {
  return typeof v === 'number' && ((v > 0 && v <= 1) || (Number.isInteger(v) && v >= 2));
}

function fail(name: string, value: unknown, expected: string): never {
  throw new CairnError(
    'INVALID_ARGUMENT',
    `random forest parameter '${name}' is ${String(value)}; expected ${expected}`,
  );
}

function checkInteger(name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    fail(name, value, `an integer ≥ ${min}`);
}
