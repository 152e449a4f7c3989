import type { FeatureMatrix } from '../matrix.js';
import { descend } from '../optimize/coordinate-descent.js';
import { checkFeatures, designWidth, type Design } from './design.js';
import { LinearModel } from './linear-model.js';
import { designMatrix, fitDesign, oneHotBlocks, toOriginalScale } from './standardize.js';
import { solveSymmetric } from './symmetric-solve.js';
import { checkTrainingData, choiceParam, numberParam } from './validate.js';

export { LinearModel } from './linear-model.js';
export type { LinearModelJson } from './linear-model.js';

export type LinearPenalty = 'none' | 'l2' | 'l1' | 'elasticnet';

/**
 * One objective for every penalty (scikit-learn's ElasticNet, on standardised features):
 *   1/(2n)·‖y − b − Xw‖² + alpha·ρ·‖w‖₁ + alpha·(1 − ρ)/2·‖w‖²
 * with ρ = 1 for 'l1', 0 for 'l2', l1Ratio for 'elasticnet'; 'none' ignores alpha. So 'l2' with
 * alpha a is sklearn's Ridge(alpha = a·n) and 'l1' is Lasso(alpha = a).
 */
export interface LinearParams {
  /** Default 'none' (ordinary least squares). */
  penalty?: LinearPenalty;
  /** Penalty strength ≥ 0, default 1. */
  alpha?: number;
  /** Share of the L1 term for 'elasticnet', in [0, 1], default 0.5. */
  l1Ratio?: number;
  /** Coordinate-descent sweeps for 'l1'/'elasticnet', default 1000. */
  maxIter?: number;
  /** Coordinate descent stops when no standardised coefficient moves more than tol·sd(y); default 1e-8. */
  tol?: number;
  /** Default true. Without an intercept numeric features are scaled but not centred. */
  fitIntercept?: boolean;
}

export interface LinearFitInfo {
  /**
   * 'cholesky'; 'eigen' when the normal equations were rank deficient (collinear columns, e.g. a
   * one-hot block beside the intercept with no penalty), which gives the minimum-norm solution as
   * sklearn's lstsq does; or 'coordinate-descent'.
   */
  method: 'cholesky' | 'eigen' | 'coordinate-descent';
  /** Numerical rank of the centred design for the closed form (expanded columns when full). */
  rank?: number;
  /** Sweeps of coordinate descent (0 for the closed form). */
  iterations: number;
  converged: boolean;
}

const OPERATION = 'fitLinear';

/** Fits a linear regression of y (rows) on X; see LinearParams for the objective. */
export function fitLinear(X: FeatureMatrix, y: Float64Array, params: LinearParams = {}): LinearModel {
  checkTrainingData(OPERATION, X, y, undefined);
  const penalty = choiceParam(OPERATION, 'penalty', params.penalty, 'none', [
    'none',
    'l2',
    'l1',
    'elasticnet',
  ]);
  const alpha = penalty === 'none' ? 0 : numberParam(OPERATION, 'alpha', params.alpha, 1, 0);
  const ratio =
    penalty === 'l1'
      ? 1
      : penalty === 'elasticnet'
        ? numberParam(OPERATION, 'l1Ratio', params.l1Ratio, 0.5, 0, 1)
        : 0;
  const maxIter = numberParam(OPERATION, 'maxIter', params.maxIter, 1000, 1, Infinity, true);
  const tol = numberParam(OPERATION, 'tol', params.tol, 1e-8, 0);
  const fitIntercept = params.fitIntercept ?? true;
  const design = fitDesign(X);
  checkFeatures(design, X, OPERATION);
  const n = X.rows;
  const p = designWidth(design);
  const Z = designMatrix(design, X, fitIntercept);
  const l1 = n * alpha * ratio;
  const l2 = n * alpha * (1 - ratio);
  const fit =
    l1 > 0
      ? coordinateDescent(Z, y, n, p, l1, l2, fitIntercept, design, maxIter, tol)
      : closedForm(Z, y, n, p, l2, fitIntercept);
  const scaled = toOriginalScale(design, fit.beta, Float64Array.of(fit.intercept), fitIntercept);
  const settings: Required<LinearParams> = { penalty, alpha, l1Ratio: ratio, maxIter, tol, fitIntercept };
  return LinearModel.create(design, scaled.coefficients, scaled.intercepts[0], settings, fit.info);
}

interface Fit {
  beta: Float64Array;
  intercept: number;
  info: LinearFitInfo;
}

/** Normal equations (ZcᵀZc + l2·I)·β = Zcᵀyc on centred columns; p is small, so O(n·p²) dominates. */
function closedForm(
  Z: Float64Array,
  y: Float64Array,
  n: number,
  p: number,
  l2: number,
  fitIntercept: boolean,
): Fit {
  const means = new Float64Array(p);
  let yMean = 0;
  if (fitIntercept) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let i = j * n; i < (j + 1) * n; i++) s += Z[i];
      means[j] = s / n;
    }
    for (let i = 0; i < n; i++) yMean += y[i];
    yMean /= n;
  }
  // Centre a private copy column by column: forming XᵀX − n·x̄x̄ᵀ instead would cancel digits.
  const C = new Float64Array(Z.length);
  for (let j = 0; j < p; j++) for (let i = j * n; i < (j + 1) * n; i++) C[i] = Z[i] - means[j];
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const cj = C.subarray(j * n, (j + 1) * n);
    for (let k = 0; k <= j; k++) {
      const ck = C.subarray(k * n, (k + 1) * n);
      let s = 0;
      for (let i = 0; i < n; i++) s += cj[i] * ck[i];
      A[j * p + k] = s;
      A[k * p + j] = s;
    }
    A[j * p + j] += l2;
    let s = 0;
    for (let i = 0; i < n; i++) s += cj[i] * (y[i] - yMean);
    b[j] = s;
  }
  const solution = solveSymmetric(A, b, p);
  let intercept = yMean;
  for (let j = 0; j < p; j++) intercept -= means[j] * solution.x[j];
  const info: LinearFitInfo = {
    method: solution.method,
    rank: solution.rank,
    iterations: 0,
    converged: true,
  };
  return { beta: solution.x, intercept, info };
}

function coordinateDescent(
  Z: Float64Array,
  y: Float64Array,
  n: number,
  p: number,
  l1: number,
  l2: number,
  fitIntercept: boolean,
  design: Design,
  maxIter: number,
  tol: number,
): Fit {
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += y[i];
  yMean /= n;
  let spread = 0;
  for (let i = 0; i < n; i++) spread += (y[i] - yMean) ** 2;
  const sd = Math.sqrt(spread / n) || 1;
  const state = { beta: new Float64Array(p), intercept: fitIntercept ? yMean : 0 };
  const r = Float64Array.from(y, (v) => v - state.intercept);
  const problem = {
    Z,
    n,
    p,
    w: new Float64Array(n).fill(1),
    r,
    l1,
    l2,
    fitIntercept,
    blocks: oneHotBlocks(design),
  };
  const run = descend(problem, state, tol * sd, maxIter);
  return {
    beta: state.beta,
    intercept: state.intercept,
    info: { method: 'coordinate-descent', iterations: run.sweeps, converged: run.converged },
  };
}
