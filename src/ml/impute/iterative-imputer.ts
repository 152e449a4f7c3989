import { CairnError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import { takeRows, type FeatureMatrix } from '../matrix.js';
import {
  checkColumns,
  checkInteger,
  checkNumber,
  checkTraining,
  readHeader,
  readNumbers,
  readStrings,
} from '../anomaly/model-io.js';
import type { GbdtParams } from '../tree/gbdt.js';
import type { RandomForestParams } from '../tree/forest.js';
import { ColumnEstimator, type EstimatorKind } from './column-estimator.js';
import { fitGaussianEm, GaussianModel } from './gaussian-em.js';
import { CellLog, isMissing, type ImputationResult } from './imputation-report.js';
import { fitSimpleImputer, SimpleImputerModel } from './simple-imputer.js';
import { maskAtRandom, type MaskedCells } from './mask-cells.js';
import { columnMoments } from '../anomaly/column-stats.js';

export interface IterativeImputerParams {
  /**
   * 'linear' (default): on an all-numeric table, EM for a multivariate normal (gaussian-em.ts);
   * with categorical columns, chained Bayesian ridge for numeric columns and logistic regression
   * for categorical ones. 'gbdt' or 'forest': chained gradient-boosted trees or random forests.
   */
  estimator: EstimatorKind;
  /** Most rounds over the columns (EM iterations), default 10. */
  maxIter: number;
  /** Stop when no numeric fill moves more than tol × the largest |observed value|, default 1e-3. */
  tol: number;
  /**
   * Share of the observed cells (of the columns with gaps) hidden during the fit to choose the
   * number of rounds, default 0.1; 0 runs maxIter rounds (or until tol), as scikit-learn does.
   */
  validationFraction: number;
  seed: number;
  /** Overrides of IMPUTER_GBDT_PARAMS for 'gbdt'. */
  gbdtParams: Partial<GbdtParams>;
  /** Overrides of IMPUTER_FOREST_PARAMS for 'forest'. */
  forestParams: Partial<RandomForestParams>;
}

export const DEFAULT_ITERATIVE_PARAMS: Readonly<IterativeImputerParams> = {
  estimator: 'linear',
  maxIter: 10,
  tol: 1e-3,
  validationFraction: 0.1,
  seed: 42,
  gbdtParams: {},
  forestParams: {},
};

const OPERATION = 'fitIterativeImputer';
const FORMAT = 'cairn-iterative-imputer';
/** Rounds without a better validation error before the search stops. */
const PATIENCE = 3;

/**
 * Multivariate imputation by chained equations (van Buuren; scikit-learn's IterativeImputer): start
 * from the mean (mode), then, column by column in ascending order of missing count, fit a model of
 * the column on all the others over the rows where it was observed and predict it where it was
 * missing; repeat. Only columns with gaps get a model (as scikit-learn); a column complete in
 * training but with gaps later is filled with its mean (mode).
 *
 * How many rounds: more is not better. With point predictions (no posterior draws) the fills of
 * one column become exact functions of the others, later models lean on them, and the error grows
 * round after round — on wine, scikit-learn's own normalised RMSE goes 0.75 → 0.94 from 1 to 10
 * rounds. So a first run hides `validationFraction` of the observed cells and keeps the round
 * count with the least error on them (standardised squared error; a wrong category counts 1),
 * stopping after PATIENCE rounds without a better one; the fit then runs that many rounds on all
 * cells. (Keeping the held-out run's models instead saves time but, on California housing, costs
 * 0.007 of normalised RMSE.)
 *
 * Linear models on an all-numeric table take the likelihood route instead (fitGaussianEm): each
 * gap is regressed on the values observed in its own row under a normal fitted by EM, which has no
 * drift to stop and, with the same maxIter, gave normalised RMSE 0.506 / 0.305 / 0.726 on
 * California housing / breast cancer / wine where the chain gave 0.520 / 0.338 / 0.748 (20 % of
 * cells hidden; scikit-learn's IterativeImputer 0.519 / 0.355 / 0.941).
 *
 * The model keeps every round's column models, as scikit-learn does, and transform() replays them
 * from the mean fill, so transforming the training rows repeats the fit's own fills. (Replaying
 * only the last round's models from the mean was tried: on California housing it gave a
 * normalised RMSE of 0.56 where the chain itself reached 0.52.)
 */
export function fitIterativeImputer(
  X: FeatureMatrix,
  params: Partial<IterativeImputerParams> = {},
): IterativeImputerModel {
  checkTraining(X, OPERATION);
  const p = { ...DEFAULT_ITERATIVE_PARAMS, ...params };
  if (!['linear', 'gbdt', 'forest'].includes(p.estimator)) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${OPERATION}: estimator must be 'linear', 'gbdt' or 'forest'; got '${String(p.estimator)}'`,
    );
  }
  checkInteger(OPERATION, 'maxIter', p.maxIter, 1);
  checkNumber(OPERATION, 'tol', p.tol, 0, Infinity, true);
  checkNumber(OPERATION, 'validationFraction', p.validationFraction, 0, 0.5, true);
  const initial = fitSimpleImputer(X, { strategy: 'mean' });
  if (p.estimator === 'linear' && X.categoryCounts.every((k) => k === 0)) {
    const gaussian = fitGaussianEm(X, p.maxIter, p.tol);
    return new IterativeImputerModel([...X.names], p.estimator, initial, new Int32Array(0), [], gaussian);
  }
  const random = new Random(p.seed);
  const order = modelledColumns(X);
  const held =
    p.validationFraction > 0 && order.length > 0
      ? maskAtRandom(X, p.validationFraction, random.nextUint32(), order)
      : null;
  let maxIter = p.maxIter;
  if (held !== null && held.cells.length > 0) {
    maxIter = chain(held.X, p, random.nextUint32(), validationError(X, held)).models.length;
  }
  const fit = chain(X, { ...p, maxIter }, random.nextUint32(), null);
  return new IterativeImputerModel(
    [...X.names],
    p.estimator,
    initial,
    Int32Array.from(fit.order),
    fit.models,
  );
}

/** Columns with some but not all cells missing, in ascending order of missing count. */
function modelledColumns(X: FeatureMatrix): number[] {
  const missing = missingRows(X);
  return Array.from({ length: X.cols }, (_, j) => j)
    .filter((j) => missing[j].length > 0 && missing[j].length < X.rows)
    .sort((a, b) => missing[a].length - missing[b].length || a - b);
}

/** The error of fills at the held-out cells: standardised squared error, 1 per wrong category. */
function validationError(X: FeatureMatrix, held: MaskedCells): (data: Float64Array) => number {
  const scale = new Float64Array(X.cols);
  for (let j = 0; j < X.cols; j++) {
    const sd = X.categoryCounts[j] > 0 ? 1 : columnMoments(X, j).std;
    scale[j] = sd > 0 ? sd : 1;
  }
  return (data) => {
    let error = 0;
    for (let c = 0; c < held.cells.length; c++) {
      const at = held.cells[c];
      const j = Math.floor(at / X.rows);
      const e = data[at] - held.truth[c];
      error += X.categoryCounts[j] > 0 ? (e === 0 ? 0 : 1) : (e / scale[j]) ** 2;
    }
    return error;
  };
}

/**
 * Runs up to maxIter rounds of chained fits on X and returns every round's column models up to,
 * with a validation error, the best round (stopping after PATIENCE rounds without a better one),
 * else the last (stopping early on tol).
 */
function chain(
  X: FeatureMatrix,
  p: IterativeImputerParams,
  seed: number,
  validation: ((data: Float64Array) => number) | null,
): { models: ColumnEstimator[][]; order: number[] } {
  const n = X.rows;
  const d = X.cols;
  const missing = missingRows(X);
  const order = modelledColumns(X);
  let largest = 0;
  for (let j = 0; j < d; j++) {
    if (X.categoryCounts[j] > 0) continue;
    for (let i = 0; i < n; i++) {
      const v = X.data[j * n + i];
      if (v === v) largest = Math.max(largest, Math.abs(v));
    }
  }
  const current = fitSimpleImputer(X, { strategy: 'mean' }).transform(X).X;
  const data = current.data;
  const observed = order.map((j) => observedRows(missing[j], n));
  const random = new Random(seed);
  const all: ColumnEstimator[][] = [];
  let rounds = 0;
  let bestError = Infinity;
  for (let round = 1; round <= p.maxIter; round++) {
    const models: ColumnEstimator[] = [];
    let moved = 0;
    order.forEach((j, m) => {
      const P = dropColumn(current, j);
      const rows = observed[m];
      const y = new Float64Array(rows.length);
      for (let r = 0; r < rows.length; r++) y[r] = data[j * n + rows[r]];
      const model = ColumnEstimator.fit(p.estimator, takeRows(P, rows), y, X.categoryCounts[j], {
        seed: random.nextUint32(),
        gbdtParams: p.gbdtParams,
        forestParams: p.forestParams,
      });
      models.push(model);
      const predicted = model.predict(takeRows(P, missing[j]), false).value;
      for (let r = 0; r < missing[j].length; r++) {
        const at = j * n + missing[j][r];
        if (X.categoryCounts[j] === 0) moved = Math.max(moved, Math.abs(predicted[r] - data[at]));
        data[at] = predicted[r];
      }
    });
    all.push(models);
    if (validation === null) {
      rounds = round;
      if (moved < p.tol * largest) break;
      continue;
    }
    const error = validation(data);
    if (error < bestError) {
      bestError = error;
      rounds = round;
    }
    if (round - rounds >= PATIENCE || moved < p.tol * largest) break;
  }
  return { models: all.slice(0, rounds), order };
}

/** Per column, the rows where X is missing. */
function missingRows(X: FeatureMatrix): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (let j = 0; j < X.cols; j++) {
    const rows: number[] = [];
    for (let i = 0; i < X.rows; i++) if (isMissing(X, j, X.data[j * X.rows + i])) rows.push(i);
    out.push(Uint32Array.from(rows));
  }
  return out;
}

function observedRows(missing: Uint32Array, n: number): Uint32Array {
  const out = new Uint32Array(n - missing.length);
  let m = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (k < missing.length && missing[k] === i) k++;
    else out[m++] = i;
  }
  return out;
}

/** X without feature j (a copy), the predictors of column j. */
function dropColumn(X: FeatureMatrix, j: number): FeatureMatrix {
  const n = X.rows;
  const data = new Float64Array(n * (X.cols - 1));
  data.set(X.data.subarray(0, j * n), 0);
  data.set(X.data.subarray((j + 1) * n), j * n);
  const counts = new Int32Array(X.cols - 1);
  counts.set(X.categoryCounts.subarray(0, j), 0);
  counts.set(X.categoryCounts.subarray(j + 1), j);
  return {
    rows: n,
    cols: X.cols - 1,
    data,
    names: X.names.filter((_, c) => c !== j),
    categoryCounts: counts,
  };
}

export interface IterativeImputerJson {
  format: typeof FORMAT;
  version: 1;
  names: string[];
  estimator: EstimatorKind;
  initial: unknown;
  /** The fitted normal when the model fills by EM (then `order` and `models` are empty). */
  gaussian?: unknown;
  order: number[];
  models: unknown[][];
}

/** A fitted iterative imputer: the initial fill and one model per column that had gaps, or a fitted normal. */
export class IterativeImputerModel {
  /** @internal built by fitIterativeImputer and fromJSON. */
  constructor(
    readonly names: readonly string[],
    readonly estimator: EstimatorKind,
    private readonly initial: SimpleImputerModel,
    private readonly order: Int32Array,
    /** Per round, one model per column of `order`. */
    private readonly models: readonly (readonly ColumnEstimator[])[],
    private readonly gaussian: GaussianModel | null = null,
  ) {}

  /** Rounds of chained models the fit kept, or EM iterations (≤ maxIter). */
  get rounds(): number {
    return this.gaussian === null ? this.models.length : this.gaussian.iterations;
  }

  /** X with its gaps filled, and the report (confidence from the last round's predictions). */
  transform(X: FeatureMatrix): ImputationResult {
    checkColumns(X, this.names, 'IterativeImputerModel.transform');
    if (this.gaussian !== null) {
      const log = new CellLog(this.names);
      const data = this.gaussian.fill(X, (i, j, value, std) => log.add(i, j, value, std, NaN, 'gaussian_em'));
      return { X: { ...X, data }, report: log.report() };
    }
    const n = X.rows;
    const missing = missingRows(X);
    const start = this.initial.transform(X);
    const current = start.X;
    const data = current.data;
    const log = new CellLog(this.names);
    const modelled = new Set(this.order);
    const { cells } = start.report;
    for (let c = 0; c < cells.rows.length; c++) {
      if (!modelled.has(cells.cols[c])) {
        log.add(cells.rows[c], cells.cols[c], cells.values[c], cells.std[c], cells.probability[c], 'mean');
      }
    }
    const last = new Map<number, { std: Float64Array; probability: Float64Array }>();
    for (let round = 1; round <= this.rounds; round++) {
      this.order.forEach((j, m) => {
        if (missing[j].length === 0) return;
        const P = takeRows(dropColumn(current, j), missing[j]);
        const out = this.models[round - 1][m].predict(P, round === this.rounds);
        for (let r = 0; r < missing[j].length; r++) data[j * n + missing[j][r]] = out.value[r];
        last.set(j, out);
      });
    }
    this.order.forEach((j, m) => {
      const out = last.get(j);
      if (out === undefined) return;
      const method = this.models[this.rounds - 1][m].method;
      for (let r = 0; r < missing[j].length; r++) {
        const i = missing[j][r];
        log.add(i, j, data[j * n + i], out.std[r], out.probability[r], method);
      }
    });
    return { X: current, report: log.report() };
  }

  toJSON(): IterativeImputerJson {
    return {
      format: FORMAT,
      version: 1,
      names: [...this.names],
      estimator: this.estimator,
      initial: this.initial.toJSON(),
      ...(this.gaussian === null ? {} : { gaussian: this.gaussian.toJSON() }),
      order: Array.from(this.order),
      models: this.models.map((round) => round.map((m) => m.toJSON())),
    };
  }

  static fromJSON(json: unknown): IterativeImputerModel {
    const o = readHeader(json, FORMAT);
    const names = readStrings(o, 'names', FORMAT);
    const order = Int32Array.from(readNumbers(o, 'order', FORMAT));
    const models = o.models;
    const ok =
      Array.isArray(models) &&
      models.every((round) => Array.isArray(round) && round.length === order.length) &&
      order.every((j) => j >= 0 && j < names.length);
    if (!ok) {
      throw new CairnError(
        'INVALID_ARGUMENT',
        `${FORMAT} model: per round, one model per modelled column expected`,
      );
    }
    return new IterativeImputerModel(
      names,
      o.estimator as EstimatorKind,
      SimpleImputerModel.fromJSON(o.initial),
      order,
      (models as unknown[][]).map((round) => round.map((m) => ColumnEstimator.fromJSON(m))),
      o.gaussian === undefined ? null : GaussianModel.fromJSON(o.gaussian),
    );
  }
}
