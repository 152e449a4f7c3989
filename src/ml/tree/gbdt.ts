import { CairnError } from '../../core/errors.js';
import type { ParallelPool } from '../../core/parallel.js';
import { Random } from '../../core/random.js';
import type { FeatureMatrix } from '../matrix.js';
import { binMatrix, fitBins, type BinMapper } from './binning.js';
import { boost, type BinnedSet, type BoostResult } from './boost.js';
import { createGrowing } from './fit-engine.js';
import type { TreeEnsemble } from './ensemble.js';
import { resolveParams, type GbdtParams } from './gbdt-params.js';
import { GbdtModel } from './gbdt-model.js';
import { createObjective, type Objective, type ObjectiveSpec } from './objectives.js';
import { searchRounds, type Run } from './round-search.js';
import { combineWeights } from './sampling.js';

export { GbdtModel } from './gbdt-model.js';
export { DEFAULT_GBDT_PARAMS, type GbdtParams } from './gbdt-params.js';
export type { GbdtJson } from './gbdt-json.js';

export interface FitGbdtOptions {
  /** Sample weights (≥ 0), one per row. */
  weights?: Float64Array;
  /** Rows for early stopping instead of the internal hold-out (validationFraction). */
  validation?: { X: FeatureMatrix; y: Float64Array; weights?: Float64Array };
  /**
   * Called after each round of each boosting run — the runs that choose the number of rounds (one
   * hold-out or one per fold), then the final fit — with the validation metric when there is one.
   */
  onProgress?: (round: number, total: number, validLoss?: number) => void;
  /** Worker threads for tree building (see core/workers/pool.ts); without one, one thread. */
  pool?: ParallelPool;
}

/**
 * Fits gradient-boosted trees (histogram-based, XGBoost's objective and regularisation, LightGBM's
 * categorical splits) to X and y: binary labels 0/1, multiclass 0..K−1, regression real values.
 * Missing values (NaN) learn a default direction at every split. Defaults: DEFAULT_GBDT_PARAMS.
 */
export function fitGbdt(
  X: FeatureMatrix,
  y: Float64Array,
  params: Partial<GbdtParams> = {},
  options: FitGbdtOptions = {},
): GbdtModel {
  checkRows(X, y, options.weights, 'training');
  const p = resolveParams(params, y);
  checkLabels(y, p, 'training');
  const spec: ObjectiveSpec = {
    name: p.objective,
    numClass: p.numClass,
    loss: p.loss,
    huberDelta: p.huberDelta,
  };
  const objective = createObjective(spec);
  const classes = p.objective === 'regression' ? 0 : p.objective === 'binary' ? 2 : p.numClass;
  const random = new Random(p.seed);
  const mapper = fitBins(X, p.maxBins, random.fork());
  const all: BinnedSet = {
    bins: binMatrix(X, mapper),
    n: X.rows,
    y,
    w: combineWeights(y, options.weights, p.classWeights, classes),
  };
  const run: Run = (train, valid, rounds) => {
    const growing = createGrowing(train, mapper, p, options.pool, objective, spec);
    try {
      return boost({
        train,
        valid,
        mapper,
        objective,
        params: p,
        rounds,
        baseMargin: objective.baseMargin(train.y, train.w),
        random: random.fork(),
        grower: growing.grower,
        onProgress: options.onProgress,
      });
    } finally {
      growing.close();
    }
  };
  let result: BoostResult;
  let history: number[] = [];
  if (options.validation !== undefined) {
    result = run(all, validationSet(options.validation, X, p, mapper, classes), p.nEstimators);
    history = result.evalHistory;
  } else if (p.earlyStoppingRounds > 0 && p.validationFraction > 0) {
    const search = searchRounds(all, X.cols, classes, p, random, run);
    history = search.history;
    result = !p.refit && search.holdoutFit !== null ? search.holdoutFit : run(all, null, search.rounds);
  } else {
    result = run(all, null, p.nEstimators);
  }
  const ensemble = toEnsemble(result, objective, p, X);
  return new GbdtModel(ensemble, p, result.trees.length / objective.outputs - 1, {
    metric: objective.metric,
    valid: history,
  });
}

function validationSet(
  v: NonNullable<FitGbdtOptions['validation']>,
  X: FeatureMatrix,
  p: GbdtParams,
  mapper: BinMapper,
  classes: number,
): BinnedSet {
  checkRows(v.X, v.y, v.weights, 'validation');
  checkLabels(v.y, p, 'validation');
  if (v.X.cols !== X.cols) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `validation X has ${v.X.cols} features; training X has ${X.cols}`,
    );
  }
  return {
    bins: binMatrix(v.X, mapper),
    n: v.X.rows,
    y: v.y,
    w: combineWeights(v.y, v.weights, p.classWeights, classes),
  };
}

function toEnsemble(
  result: BoostResult,
  objective: Objective,
  p: GbdtParams,
  X: FeatureMatrix,
): TreeEnsemble {
  return {
    objective: p.objective,
    outputs: objective.outputs,
    baseMargin: result.baseMargin,
    trees: result.trees,
    treeOutput: result.treeOutput,
    featureNames: [...X.names],
    categoryCounts: Int32Array.from(X.categoryCounts),
  };
}

function checkRows(X: FeatureMatrix, y: Float64Array, weights: Float64Array | undefined, part: string): void {
  if (X.rows !== y.length) {
    throw new CairnError('INVALID_ARGUMENT', `${part} X has ${X.rows} rows but y has ${y.length} labels`);
  }
  if (X.rows < 2 || X.cols < 1) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${part} X has ${X.rows} rows × ${X.cols} features; GBDT needs ≥ 2 rows and ≥ 1 feature`,
    );
  }
  if (X.data.length !== X.rows * X.cols || X.categoryCounts.length !== X.cols || X.names.length !== X.cols) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${part} X is malformed: its data, names or categoryCounts do not match ${X.rows} × ${X.cols}`,
    );
  }
  if (weights === undefined) return;
  if (weights.length !== X.rows) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${part} weights have ${weights.length} values for ${X.rows} rows`,
    );
  }
  for (let r = 0; r < weights.length; r++) {
    if (!(weights[r] >= 0) || weights[r] === Infinity) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `${part} weight at row ${r} is ${weights[r]}; weights must be finite and ≥ 0`,
      );
    }
  }
}

function checkLabels(y: Float64Array, p: GbdtParams, part: string): void {
  for (let r = 0; r < y.length; r++) {
    const v = y[r];
    const ok =
      p.objective === 'binary'
        ? v === 0 || v === 1
        : p.objective === 'multiclass'
          ? Number.isInteger(v) && v >= 0 && v < p.numClass
          : Number.isFinite(v);
    if (!ok) {
      const expected =
        p.objective === 'binary'
          ? '0 or 1'
          : p.objective === 'multiclass'
            ? `a class code 0..${p.numClass - 1}`
            : 'a finite number';
      throw new CairnError(
        'INVALID_ARGUMENT',
        `${part} label at row ${r} is ${v}; objective '${p.objective}' needs ${expected}`,
      );
    }
  }
}
