import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';
import { columnMoments } from '../anomaly/column-stats.js';
import { readHeader, readNumber, readNumbers } from '../anomaly/model-io.js';
import { symmetricEigen } from '../linear/symmetric-solve.js';

/**
 * Bayesian ridge regression (MacKay's evidence maximisation, as scikit-learn's BayesianRidge):
 * Gaussian weights with precision λ, Gaussian noise with precision α, both re-estimated from the
 * data under Gamma(1e-6, 1e-6) hyperpriors until the coefficients settle. It is IterativeImputer's
 * default estimator because it needs no tuning and gives a predictive standard deviation,
 * √(xᵀΣx + 1/α), which is the imputation's confidence.
 *
 * The design: numeric features standardised (missing → the mean), categorical features one-hot
 * (an unseen or missing code → all zeros); then centred, with an unpenalised intercept. Everything
 * is solved in the eigenbasis of the p × p Gram matrix, so each hyperparameter step costs O(p).
 */
export interface BayesianRidgeParams {
  /** Most evidence updates, default 300. */
  maxIter: number;
  /** Stop when the coefficients move less than this in L1, default 1e-3. */
  tol: number;
}

const HYPER = 1e-6;
const FORMAT = 'cairn-bayesian-ridge';

/** Standardised/one-hot columns of X, column-major (rows × width), before centring. */
function design(X: FeatureMatrix, mean: Float64Array, sd: Float64Array, width: number): Float64Array {
  const n = X.rows;
  const Z = new Float64Array(n * width);
  let c = 0;
  for (let j = 0; j < X.cols; j++) {
    const k = X.categoryCounts[j];
    const from = j * n;
    if (k > 0) {
      for (let i = 0; i < n; i++) {
        const v = X.data[from + i];
        if (Number.isInteger(v) && v >= 0 && v < k) Z[(c + v) * n + i] = 1;
      }
      c += k;
    } else {
      const to = c * n;
      for (let i = 0; i < n; i++) {
        const v = X.data[from + i];
        Z[to + i] = v === v ? (v - mean[j]) / sd[j] : 0;
      }
      c++;
    }
  }
  return Z;
}

function designWidth(counts: Int32Array): number {
  let p = 0;
  for (const k of counts) p += k > 0 ? k : 1;
  return p;
}

/** Fits y (one value per row of X, no NaN) on X; see the file comment. */
export function fitBayesianRidge(
  X: FeatureMatrix,
  y: Float64Array,
  params: Partial<BayesianRidgeParams> = {},
): BayesianRidgeModel {
  const n = X.rows;
  if (y.length !== n || n < 2) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `fitBayesianRidge needs ≥ 2 rows and one y per row; got ${n} rows, ${y.length} y`,
    );
  }
  const maxIter = params.maxIter ?? 300;
  const tol = params.tol ?? 1e-3;
  const counts = Int32Array.from(X.categoryCounts);
  const mean = new Float64Array(X.cols);
  const sd = new Float64Array(X.cols).fill(1);
  for (let j = 0; j < X.cols; j++) {
    if (counts[j] > 0) continue;
    const m = columnMoments(X, j);
    mean[j] = Number.isNaN(m.mean) ? 0 : m.mean;
    sd[j] = m.std > 0 ? m.std : 1;
  }
  const p = designWidth(counts);
  const Z = design(X, mean, sd, p);
  const zbar = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Z[a * n + i];
    zbar[a] = s / n;
  }
  let ybar = 0;
  for (let i = 0; i < n; i++) ybar += y[i];
  ybar /= n;
  const yc = Float64Array.from(y, (v) => v - ybar);
  let yty = 0;
  for (let i = 0; i < n; i++) yty += yc[i] * yc[i];
  const G = new Float64Array(p * p);
  const Xty = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    const za = a * n;
    let t = 0;
    for (let i = 0; i < n; i++) t += Z[za + i] * yc[i];
    Xty[a] = t;
    for (let b = a; b < p; b++) {
      const zb = b * n;
      let s = 0;
      for (let i = 0; i < n; i++) s += Z[za + i] * Z[zb + i];
      G[a * p + b] = G[b * p + a] = s - n * zbar[a] * zbar[b];
    }
  }
  const { values, vectors } = symmetricEigen(G, p);
  const eig = values.map((v) => Math.max(v, 0));
  const proj = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    let s = 0;
    for (let i = 0; i < p; i++) s += vectors[i * p + k] * Xty[i];
    proj[k] = s;
  }
  let alpha = 1 / (yty / n + Number.EPSILON);
  let lambda = 1;
  const w = new Float64Array(p);
  const previous = new Float64Array(p);
  const update = () => {
    const r = lambda / alpha;
    let residual = yty;
    for (let k = 0; k < p; k++) {
      w[k] = proj[k] / (eig[k] + r);
      residual += -2 * w[k] * proj[k] + eig[k] * w[k] * w[k];
    }
    return Math.max(residual, 0);
  };
  let iterations = 0;
  for (let it = 0; it < maxIter; it++) {
    iterations = it + 1;
    const residual = update();
    let gamma = 0;
    let norm = 0;
    for (let k = 0; k < p; k++) {
      gamma += (alpha * eig[k]) / (lambda + alpha * eig[k]);
      norm += w[k] * w[k];
    }
    lambda = (gamma + 2 * HYPER) / (norm + 2 * HYPER);
    alpha = (n - gamma + 2 * HYPER) / (residual + 2 * HYPER);
    // w lives in the eigenbasis; the L1 move of the coefficients is measured there too.
    let moved = 0;
    for (let k = 0; k < p; k++) moved += Math.abs(w[k] - previous[k]);
    if (it > 0 && moved < tol) break;
    previous.set(w);
  }
  update();
  const coef = new Float64Array(p);
  for (let k = 0; k < p; k++) for (let i = 0; i < p; i++) coef[i] += vectors[i * p + k] * w[k];
  let intercept = ybar;
  for (let a = 0; a < p; a++) intercept -= coef[a] * zbar[a];
  // Posterior covariance Σ = V·diag(1 / (α·eig + λ))·Vᵀ, kept as V and the diagonal.
  const inverse = eig.map((e) => 1 / (alpha * e + lambda));
  return new BayesianRidgeModel(
    counts,
    mean,
    sd,
    zbar,
    coef,
    intercept,
    vectors,
    inverse,
    alpha,
    lambda,
    iterations,
  );
}

export interface BayesianRidgeJson {
  format: typeof FORMAT;
  version: 1;
  categoryCounts: number[];
  mean: number[];
  sd: number[];
  zbar: number[];
  coef: number[];
  intercept: number;
  vectors: number[];
  inverse: number[];
  alpha: number;
  lambda: number;
  iterations: number;
}

/** A fitted Bayesian ridge: predictions with their standard deviation. */
export class BayesianRidgeModel {
  /** @internal built by fitBayesianRidge and fromJSON. */
  constructor(
    private readonly counts: Int32Array,
    private readonly mean: Float64Array,
    private readonly sd: Float64Array,
    private readonly zbar: Float64Array,
    private readonly coef: Float64Array,
    readonly intercept: number,
    private readonly vectors: Float64Array,
    private readonly inverse: Float64Array,
    /** Noise precision. */
    readonly alpha: number,
    /** Weight precision. */
    readonly lambda: number,
    readonly iterations: number,
  ) {}

  /**
   * Mean and standard deviation of the predictive distribution for each row of X; without
   * `withStd` the std is left NaN, which saves the O(p²) per row that only the last round needs.
   */
  predict(X: FeatureMatrix, withStd = true): { mean: Float64Array; std: Float64Array } {
    const p = this.coef.length;
    const Z = design(X, this.mean, this.sd, p);
    const n = X.rows;
    const mean = new Float64Array(n).fill(this.intercept);
    for (let a = 0; a < p; a++) {
      const c = this.coef[a];
      const from = a * n;
      for (let i = 0; i < n; i++) mean[i] += c * Z[from + i];
    }
    const std = new Float64Array(n).fill(NaN);
    if (!withStd) return { mean, std };
    const z = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < p; a++) z[a] = Z[a * n + i] - this.zbar[a];
      let v = 1 / this.alpha;
      for (let k = 0; k < p; k++) {
        let u = 0;
        for (let a = 0; a < p; a++) u += this.vectors[a * p + k] * z[a];
        v += u * u * this.inverse[k];
      }
      std[i] = Math.sqrt(v);
    }
    return { mean, std };
  }

  toJSON(): BayesianRidgeJson {
    return {
      format: FORMAT,
      version: 1,
      categoryCounts: Array.from(this.counts),
      mean: Array.from(this.mean),
      sd: Array.from(this.sd),
      zbar: Array.from(this.zbar),
      coef: Array.from(this.coef),
      intercept: this.intercept,
      vectors: Array.from(this.vectors),
      inverse: Array.from(this.inverse),
      alpha: this.alpha,
      lambda: this.lambda,
      iterations: this.iterations,
    };
  }

  static fromJSON(json: unknown): BayesianRidgeModel {
    const o = readHeader(json, FORMAT);
    const counts = Int32Array.from(readNumbers(o, 'categoryCounts', FORMAT));
    const coef = readNumbers(o, 'coef', FORMAT);
    const p = coef.length;
    const vectors = readNumbers(o, 'vectors', FORMAT);
    if (vectors.length !== p * p || designWidth(counts) !== p) {
      throw new CairnError('INVALID_ARGUMENT', `${FORMAT} model: ${p} coefficients do not match the design`);
    }
    return new BayesianRidgeModel(
      counts,
      readNumbers(o, 'mean', FORMAT),
      readNumbers(o, 'sd', FORMAT),
      readNumbers(o, 'zbar', FORMAT),
      coef,
      readNumber(o, 'intercept', FORMAT),
      vectors,
      readNumbers(o, 'inverse', FORMAT),
      readNumber(o, 'alpha', FORMAT),
      readNumber(o, 'lambda', FORMAT),
      readNumber(o, 'iterations', FORMAT),
    );
  }
}
