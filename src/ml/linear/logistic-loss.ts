import type { Objective } from '../optimize/lbfgs.js';

/**
 * The log-loss of a logistic model on standardised training columns, shared by both solvers.
 * Parameters θ are K rows of p coefficients then the intercept: θ[k·(p+1) + j], intercept at
 * θ[k·(p+1) + p]. K = 1 is the binary model (sigmoid of one margin, as scikit-learn fits it);
 * K > 1 the multinomial one (softmax over K margins, over-parameterised; the penalty pins it down).
 */
export interface LogisticProblem {
  /** Column-major n × p. */
  readonly Z: Float64Array;
  readonly n: number;
  readonly p: number;
  /** Class codes 0..classes-1 (n). */
  readonly y: Float64Array;
  /** Row weights (n): sample weight × class weight. */
  readonly s: Float64Array;
  /** Margins per row: 1 (binary) or the class count (multinomial). */
  readonly K: number;
}

/** Margins η (column-major n × K: η[k·n + i]) of the rows under θ. */
export function computeMargins(problem: LogisticProblem, theta: Float64Array, eta: Float64Array): void {
  const { Z, n, p, K } = problem;
  for (let k = 0; k < K; k++) {
    const base = k * (p + 1);
    const etaK = eta.subarray(k * n, (k + 1) * n);
    etaK.fill(theta[base + p]);
    for (let j = 0; j < p; j++) {
      const beta = theta[base + j];
      if (beta === 0) continue;
      // Column views index with i alone, which V8 compiles much tighter than running offsets.
      const zj = Z.subarray(j * n, (j + 1) * n);
      for (let i = 0; i < n; i++) etaK[i] += beta * zj[i];
    }
  }
}

/**
 * Σ sᵢ·logloss(rowᵢ) at margins η; when `residuals` is given also writes ∂/∂η there:
 * residuals[k·n + i] = sᵢ·(P(class k | row i) − [yᵢ = k]) (for K = 1, k is class 1).
 */
export function negLogLikelihood(
  problem: LogisticProblem,
  eta: Float64Array,
  residuals?: Float64Array,
): number {
  const { n, y, s, K } = problem;
  let total = 0;
  if (K === 1) {
    for (let i = 0; i < n; i++) {
      const e = eta[i];
      total += s[i] * (softplus(e) - y[i] * e);
      if (residuals) residuals[i] = s[i] * (sigmoid(e) - y[i]);
    }
    return total;
  }
  for (let i = 0; i < n; i++) {
    let top = -Infinity;
    for (let k = 0; k < K; k++) top = Math.max(top, eta[k * n + i]);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(eta[k * n + i] - top);
    const logSum = top + Math.log(sum);
    total += s[i] * (logSum - eta[y[i] * n + i]);
    if (residuals) {
      for (let k = 0; k < K; k++) {
        residuals[k * n + i] = s[i] * (Math.exp(eta[k * n + i] - logSum) - (y[i] === k ? 1 : 0));
      }
    }
  }
  return total;
}

/** P(class k | row i) for every row, from margins η (binary: k = 0 means class 1). */
export function classProbabilities(
  problem: LogisticProblem,
  eta: Float64Array,
  k: number,
  out: Float64Array,
): void {
  const { n, K } = problem;
  if (K === 1) {
    for (let i = 0; i < n; i++) out[i] = sigmoid(eta[i]);
    return;
  }
  for (let i = 0; i < n; i++) {
    let top = -Infinity;
    for (let c = 0; c < K; c++) top = Math.max(top, eta[c * n + i]);
    let sum = 0;
    for (let c = 0; c < K; c++) sum += Math.exp(eta[c * n + i] - top);
    out[i] = Math.exp(eta[k * n + i] - top) / sum;
  }
}

/**
 * The L2-penalised objective for L-BFGS, divided by the total row weight so that its gradient
 * tolerance means the same for 100 rows as for 10⁶: (Σ sᵢ·loglossᵢ + l2/2·‖W‖²) / Σ sᵢ, intercepts
 * unpenalised (scikit-learn's objective with l2 = 1/C, same minimiser).
 */
export function l2Objective(problem: LogisticProblem, l2: number): Objective {
  const { Z, n, p, K, s } = problem;
  let weightSum = 0;
  for (let i = 0; i < n; i++) weightSum += s[i];
  const eta = new Float64Array(n * K);
  const residuals = new Float64Array(n * K);
  return (theta, grad) => {
    computeMargins(problem, theta, eta);
    let f = negLogLikelihood(problem, eta, residuals);
    for (let k = 0; k < K; k++) {
      const base = k * (p + 1);
      const res = residuals.subarray(k * n, (k + 1) * n);
      let g0 = 0;
      for (let i = 0; i < n; i++) g0 += res[i];
      grad[base + p] = g0 / weightSum;
      for (let j = 0; j < p; j++) {
        const beta = theta[base + j];
        let g = l2 * beta;
        const zj = Z.subarray(j * n, (j + 1) * n);
        for (let i = 0; i < n; i++) g += zj[i] * res[i];
        grad[base + j] = g / weightSum;
        f += 0.5 * l2 * beta * beta;
      }
    }
    return f / weightSum;
  };
}

/** Intercepts at the weighted class log-odds (binary) or log-priors (multinomial, centred): the fit with no features. */
export function priorIntercepts(problem: LogisticProblem, classes: number): Float64Array {
  const { n, y, s, K } = problem;
  const mass = new Float64Array(classes);
  for (let i = 0; i < n; i++) mass[y[i]] += s[i];
  if (K === 1) return Float64Array.of(Math.log(mass[1] / mass[0]));
  const logs = Float64Array.from(mass, (m) => Math.log(m));
  const mean = logs.reduce((a, b) => a + b, 0) / K;
  return logs.map((v) => v - mean);
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** log(1 + eˣ) without overflow or loss of digits. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
