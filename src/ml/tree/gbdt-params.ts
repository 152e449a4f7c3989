import { CairnError } from '../../core/errors.js';
import type { ObjectiveName, RegressionLoss } from './objectives.js';

/** Hyperparameters of fitGbdt. Every one has a default (DEFAULT_GBDT_PARAMS); names follow XGBoost/LightGBM. */
export interface GbdtParams {
  /** Default: 'binary' when every label is 0 or 1, else 'regression' (multiclass must be asked for). */
  objective: ObjectiveName;
  /** Regression loss. */
  loss: RegressionLoss;
  /** Huber: residuals beyond delta count linearly; undefined: the 90th percentile of |residual| each round. */
  huberDelta: number | undefined;
  /** Multiclass: number of classes; 0 takes max label + 1. */
  numClass: number;
  /** Boosting rounds (trees per output); with early stopping, the most rounds. */
  nEstimators: number;
  learningRate: number;
  /** Levels below the root; ≤ 0 for no limit (needs maxLeaves > 0). */
  maxDepth: number;
  /** 0: depth-wise growth; > 0: best-first (LightGBM's leaf-wise) growth up to this many leaves. */
  maxLeaves: number;
  /** Least hessian sum in a child (XGBoost's min_child_weight). */
  minChildWeight: number;
  /** Least rows in a child. */
  minSamplesLeaf: number;
  /** L2 regularisation of leaf weights (XGBoost's lambda). */
  lambda: number;
  /** L1 regularisation of leaf weights (XGBoost's alpha). */
  alpha: number;
  /** Least loss reduction for a split (XGBoost's gamma / min_split_loss). */
  gamma: number;
  /** Fraction of rows drawn (without replacement, seeded) for each round's trees. */
  subsample: number;
  /** Fraction of features drawn (seeded) for each tree. */
  colsampleBytree: number;
  /** Value bins per feature, 2..255; missing values get a bin of their own on top. */
  maxBins: number;
  /** Stop when the validation loss has not improved for this many rounds; 0 disables early stopping. */
  earlyStoppingRounds: number;
  /** Share of the training rows held out (stratified for classes) for early stopping when no validation set is given; 0 disables. */
  validationFraction: number;
  /**
   * How the number of rounds is chosen without a validation set: 0 = auto (5-fold cross-validation
   * below 10,000 rows, else one hold-out), 1 = one hold-out, k ≥ 2 = k stratified folds.
   */
  cvFolds: number;
  /** After a hold-out search, fit again on all rows for the chosen number of rounds (cross-validation always does). */
  refit: boolean;
  /** Per-class sample weights (classification), or 'balanced': n / (classes × class count). */
  classWeights: number[] | 'balanced' | undefined;
  /** Categorical features with at most this many categories in a node split one category against the rest. */
  maxCatToOnehot: number;
  /** Most categories on the left of a many-category split. */
  maxCatThreshold: number;
  /** Categories need this many rows to take part in a many-category split; also smooths their gradient ratio. */
  catSmooth: number;
  /** Extra L2 for many-category splits. */
  catL2: number;
  /** Least rows on each side of a many-category split. */
  minDataPerGroup: number;
  seed: number;
  /** Threads for tree building when a pool is passed; 0 uses all of the pool's. */
  threads: number;
}

/**
 * The defaults: XGBoost's regularisation (lambda 1, min_child_weight 1, depth 6) and learning
 * rate 0.1; up to 1000 rounds, their number chosen by early stopping (patience 50) on a stratified
 * 10 % hold-out — by 5-fold cross-validation below 10,000 rows, where one hold-out is too small to
 * choose well — then one fit on all rows for that many rounds; LightGBM's categorical settings.
 * Measured against XGBoost 300/6/0.1 in bench/supervised (--defaults): fixed 300 rounds overfit
 * churn and bank by 0.01–0.02 AUC, and the search finds ≥ 300 rounds where more help (adult, housing).
 */
export const DEFAULT_GBDT_PARAMS: Readonly<Omit<GbdtParams, 'objective'>> = {
  loss: 'squared',
  huberDelta: undefined,
  numClass: 0,
  nEstimators: 1000,
  learningRate: 0.1,
  maxDepth: 6,
  maxLeaves: 0,
  minChildWeight: 1,
  minSamplesLeaf: 1,
  lambda: 1,
  alpha: 0,
  gamma: 0,
  subsample: 1,
  colsampleBytree: 1,
  maxBins: 255,
  earlyStoppingRounds: 50,
  validationFraction: 0.1,
  cvFolds: 0,
  refit: true,
  classWeights: undefined,
  maxCatToOnehot: 4,
  maxCatThreshold: 32,
  catSmooth: 10,
  catL2: 10,
  minDataPerGroup: 100,
  seed: 42,
  threads: 0,
};

/** Fills defaults, infers the objective and class count from y, and checks every value. */
export function resolveParams(params: Partial<GbdtParams>, y: Float64Array): GbdtParams {
  const defined = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
  const p: GbdtParams = {
    ...DEFAULT_GBDT_PARAMS,
    objective: params.objective ?? inferObjective(y),
    ...defined,
  };
  if (!['binary', 'multiclass', 'regression'].includes(p.objective)) {
    fail('objective', p.objective, "'binary', 'multiclass' or 'regression'");
  }
  if (p.objective === 'multiclass' && p.numClass === 0) p.numClass = maxLabel(y) + 1;
  checkInteger('nEstimators', p.nEstimators, 1);
  checkRange('learningRate', p.learningRate, 0, Infinity, false);
  checkInteger('maxDepth', p.maxDepth, -1);
  checkInteger('maxLeaves', p.maxLeaves, 0);
  if (p.maxLeaves === 1) fail('maxLeaves', 1, '0 (depth-wise) or at least 2');
  if (p.maxDepth <= 0 && p.maxLeaves === 0) fail('maxDepth', p.maxDepth, 'a depth ≥ 1 unless maxLeaves > 0');
  checkRange('minChildWeight', p.minChildWeight, 0, Infinity, true);
  checkInteger('minSamplesLeaf', p.minSamplesLeaf, 1);
  checkRange('lambda', p.lambda, 0, Infinity, true);
  checkRange('alpha', p.alpha, 0, Infinity, true);
  checkRange('gamma', p.gamma, 0, Infinity, true);
  checkRange('subsample', p.subsample, 0, 1, false);
  checkRange('colsampleBytree', p.colsampleBytree, 0, 1, false);
  checkInteger('maxBins', p.maxBins, 2);
  if (p.maxBins > 255)
    fail('maxBins', p.maxBins, 'at most 255 (bins are bytes; missing values take one more)');
  checkInteger('earlyStoppingRounds', p.earlyStoppingRounds, 0);
  checkRange('validationFraction', p.validationFraction, 0, 0.5, true);
  checkInteger('cvFolds', p.cvFolds, 0);
  if (p.cvFolds > 20) fail('cvFolds', p.cvFolds, 'at most 20');
  checkInteger('maxCatToOnehot', p.maxCatToOnehot, 0);
  checkInteger('maxCatThreshold', p.maxCatThreshold, 1);
  checkRange('catSmooth', p.catSmooth, 0, Infinity, true);
  checkRange('catL2', p.catL2, 0, Infinity, true);
  checkInteger('minDataPerGroup', p.minDataPerGroup, 1);
  checkInteger('seed', p.seed, -(2 ** 31));
  checkInteger('threads', p.threads, 0);
  if (p.objective === 'multiclass') checkInteger('numClass', p.numClass, 2);
  if (p.huberDelta !== undefined) checkRange('huberDelta', p.huberDelta, 0, Infinity, false);
  if (p.classWeights !== undefined && p.classWeights !== 'balanced') {
    if (p.objective === 'regression')
      fail('classWeights', 'given', 'only for binary and multiclass objectives');
    const classes = p.objective === 'binary' ? 2 : p.numClass;
    if (!Array.isArray(p.classWeights) || p.classWeights.length !== classes) {
      fail('classWeights', JSON.stringify(p.classWeights), `'balanced' or ${classes} non-negative numbers`);
    }
    p.classWeights.forEach((w, c) => checkRange(`classWeights[${c}]`, w, 0, Infinity, true));
  }
  return p;
}

function inferObjective(y: Float64Array): ObjectiveName {
  for (let i = 0; i < y.length; i++) if (y[i] !== 0 && y[i] !== 1) return 'regression';
  return 'binary';
}

function maxLabel(y: Float64Array): number {
  let max = 0;
  for (let i = 0; i < y.length; i++) if (y[i] > max) max = y[i]!;
  return max;
}

function fail(name: string, value: unknown, expected: string): never {
  throw new CairnError(
    'INVALID_ARGUMENT',
    `GBDT parameter '${name}' is ${String(value)}; expected ${expected}`,
  );
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) fail(name, value, `an integer ≥ ${min}`);
}

function checkRange(name: string, value: number, lo: number, hi: number, loInclusive: boolean): void {
  const ok = typeof value === 'number' && (loInclusive ? value >= lo : value > lo) && value <= hi;
  if (!ok) fail(name, value, `a number in ${loInclusive ? '[' : '('}${lo}, ${hi}]`);
}
