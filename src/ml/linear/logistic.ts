import type { FeatureMatrix } from '../matrix.js';
import { minimizeLbfgs } from '../optimize/lbfgs.js';
import { checkFeatures, designWidth } from './design.js';
import { fitLogisticCd } from './logistic-cd.js';
import { l2Objective, priorIntercepts, type LogisticProblem } from './logistic-loss.js';
import { LogisticModel, type LogisticFitInfo, type LogisticSettings } from './logistic-model.js';
import { designMatrix, fitDesign, oneHotBlocks, toOriginalScale } from './standardize.js';
import { checkTrainingData, choiceParam, invalid, numberParam } from './validate.js';

export { LogisticModel } from './logistic-model.js';
export type { LogisticFitInfo, LogisticModelJson, LogisticSettings } from './logistic-model.js';

export type LogisticPenalty = 'l2' | 'l1' | 'elasticnet' | 'none';

/**
 * scikit-learn's objective, on standardised features (see design.ts):
 *   C·Σ wᵢ·loglossᵢ + ρ·‖W‖₁ + (1 − ρ)/2·‖W‖²,   intercepts unpenalised,
 * with ρ = 0 for 'l2', 1 for 'l1', l1Ratio for 'elasticnet'; 'none' drops the penalty (C = ∞).
 */
export interface LogisticParams {
  /** Default 'l2'. */
  penalty?: LogisticPenalty;
  /** Inverse penalty strength (sklearn's C), > 0, default 1. */
  C?: number;
  /** Share of L1 for 'elasticnet', in [0, 1], default 0.5. */
  l1Ratio?: number;
  /** 'auto': one sigmoid margin for 2 classes, softmax over K margins otherwise; 'multinomial': softmax always. */
  multiclass?: 'auto' | 'multinomial';
  /** Iterations of L-BFGS ('l2', 'none') or of proximal Newton ('l1', 'elasticnet'), default 1000. */
  maxIter?: number;
  /**
   * Default 1e-8 (cheap here, and 1e-6 leaves L2 coefficients ~1e-4 from the optimum on one-hot
   * data). 'l2'/'none' stop when no gradient component of the objective divided by the total weight
   * exceeds tol (or the loss stops changing in double precision); 'l1'/'elasticnet' when no
   * standardised coefficient moves more than tol in a pass.
   */
  tol?: number;
  /** Per-class weights by class code, or 'balanced' (n / (classes · count)), as sklearn's class_weight. */
  classWeights?: readonly number[] | 'balanced';
  /** Only true is supported: an unpenalised intercept per margin. */
  fitIntercept?: true;
}

const OPERATION = 'fitLogistic';

/**
 * Fits logistic regression of class codes y (0..classes−1, every class present) on X.
 * `options.weights` are per-row sample weights (≥ 0), multiplied by the class weights.
 */
export function fitLogistic(
  X: FeatureMatrix,
  y: Float64Array,
  params: LogisticParams = {},
  options: { weights?: Float64Array } = {},
): LogisticModel {
  checkTrainingData(OPERATION, X, y, options.weights);
  const classes = countClasses(y);
  const settings = checkParams(params, classes);
  const design = fitDesign(X, options.weights);
  checkFeatures(design, X, OPERATION);

  const n = X.rows;
  const p = designWidth(design);
  const K = classes === 2 && settings.multiclass === 'auto' ? 1 : classes;
  const s = rowWeights(y, classes, settings.classWeights, options.weights);
  const problem: LogisticProblem = { Z: designMatrix(design, X), n, p, y, s, K };
  const ratio = settings.penalty === 'l1' ? 1 : settings.penalty === 'elasticnet' ? settings.l1Ratio : 0;
  const strength = settings.penalty === 'none' ? 0 : 1 / settings.C;

  let theta: Float64Array;
  let info: LogisticFitInfo;
  if (ratio > 0) {
    const blocks = oneHotBlocks(design);
    const fit = fitLogisticCd(
      problem,
      classes,
      strength * ratio,
      strength * (1 - ratio),
      blocks,
      settings.maxIter,
      settings.tol,
    );
    theta = fit.theta;
    info = { solver: 'proximal-newton-cd', iterations: fit.iterations, converged: fit.converged };
  } else {
    const start = new Float64Array(K * (p + 1));
    priorIntercepts(problem, classes).forEach((b, k) => (start[k * (p + 1) + p] = b));
    // lossTol 1e-15 stops at the floor of double precision instead of reporting a failed line search.
    const fit = minimizeLbfgs(l2Objective(problem, strength), start, {
      maxIter: settings.maxIter,
      gradTol: settings.tol,
      lossTol: 1e-15,
    });
    theta = fit.x;
    info = { solver: 'lbfgs', iterations: fit.iterations, converged: fit.converged };
  }

  const beta = new Float64Array(K * p);
  const intercepts = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    beta.set(theta.subarray(k * (p + 1), k * (p + 1) + p), k * p);
    intercepts[k] = theta[k * (p + 1) + p];
  }
  const scaled = toOriginalScale(design, beta, intercepts);
  if (K > 1) {
    // Softmax ignores a common shift of the intercepts; report them centred, in the original scale.
    const mean = scaled.intercepts.reduce((a, b) => a + b, 0) / K;
    for (let k = 0; k < K; k++) scaled.intercepts[k] -= mean;
  }
  return LogisticModel.create(design, classes, scaled.coefficients, scaled.intercepts, settings, info);
}

function countClasses(y: Float64Array): number {
  let max = -1;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0) {
      throw invalid(OPERATION, `y holds ${v} at row ${i}; expected class codes 0, 1, 2, …`);
    }
    max = Math.max(max, v);
  }
  if (max >= y.length) {
    throw invalid(
      OPERATION,
      `y holds class code ${max} with ${y.length} rows; codes must be 0..k-1, every class present`,
    );
  }
  const counts = new Float64Array(max + 1);
  for (let i = 0; i < y.length; i++) counts[y[i]]++;
  if (counts.length < 2) {
    throw invalid(OPERATION, `y holds a single class (${max}); logistic regression needs at least two`);
  }
  const empty = counts.findIndex((c) => c === 0);
  if (empty >= 0) {
    throw invalid(
      OPERATION,
      `class ${empty} has no rows; y must use every code 0..${max} (re-encode the classes)`,
    );
  }
  return counts.length;
}

function checkParams(params: LogisticParams, classes: number): LogisticSettings {
  const penalty = choiceParam(OPERATION, 'penalty', params.penalty, 'l2', ['l2', 'l1', 'elasticnet', 'none']);
  const C = numberParam(OPERATION, 'C', params.C, 1, Number.MIN_VALUE);
  const l1Ratio = numberParam(OPERATION, 'l1Ratio', params.l1Ratio, 0.5, 0, 1);
  const multiclass = choiceParam(OPERATION, 'multiclass', params.multiclass, 'auto', ['auto', 'multinomial']);
  const maxIter = numberParam(OPERATION, 'maxIter', params.maxIter, 1000, 1, Infinity, true);
  const tol = numberParam(OPERATION, 'tol', params.tol, 1e-8, 0);
  if (params.fitIntercept !== undefined && params.fitIntercept !== true) {
    throw invalid(OPERATION, "'fitIntercept' must be true; fits without an intercept are not supported");
  }
  const weights = params.classWeights ?? null;
  if (weights !== null && weights !== 'balanced') {
    if (
      !Array.isArray(weights) ||
      weights.length !== classes ||
      !weights.every((w) => Number.isFinite(w) && w > 0)
    ) {
      throw invalid(
        OPERATION,
        `'classWeights' must be 'balanced' or ${classes} positive numbers, one per class`,
      );
    }
  }
  const classWeights = weights === null || weights === 'balanced' ? weights : Array.from<number>(weights);
  return { penalty, C, l1Ratio, multiclass, maxIter, tol, classWeights, fitIntercept: true };
}

function rowWeights(
  y: Float64Array,
  classes: number,
  classWeights: LogisticSettings['classWeights'],
  weights: Float64Array | undefined,
): Float64Array {
  const n = y.length;
  const perClass = new Float64Array(classes).fill(1);
  if (classWeights === 'balanced') {
    // sklearn's rule: n / (classes · count), on unweighted counts.
    const counts = new Float64Array(classes);
    for (let i = 0; i < n; i++) counts[y[i]]++;
    for (let k = 0; k < classes; k++) perClass[k] = n / (classes * counts[k]);
  } else if (classWeights !== null) {
    perClass.set(classWeights);
  }
  const s = Float64Array.from(y, (c, i) => perClass[c] * (weights ? weights[i] : 1));
  const mass = new Float64Array(classes);
  for (let i = 0; i < n; i++) mass[y[i]] += s[i];
  const empty = mass.findIndex((m) => !(m > 0));
  if (empty >= 0) throw invalid(OPERATION, `class ${empty} has total weight 0`);
  return s;
}
