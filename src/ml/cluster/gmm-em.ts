import type { Points } from './points.js';
import { choleskyInPlace, gaussianLogDensity } from './gaussian-density.js';

export type CovarianceType = 'full' | 'diag';

/** Mixture parameters: weights (k), means (k × d row-major), covariances (full: k × d × d; diag: k × d variances). */
export interface MixtureParams {
  weights: Float64Array;
  means: Float64Array;
  covariances: Float64Array;
}

/** Precomputed for log-densities: Cholesky factors (full) or standard deviations (diag), and log-determinants. */
export interface MixtureFactors {
  factor: Float64Array;
  logDet: Float64Array;
}

/** Factors of every component's covariance; null when one is not positive definite. */
export function factorize(
  params: MixtureParams,
  k: number,
  d: number,
  type: CovarianceType,
): MixtureFactors | null {
  const factor = Float64Array.from(params.covariances);
  const logDet = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    if (type === 'full') {
      if (!choleskyInPlace(factor, c * d * d, d)) return null;
      for (let j = 0; j < d; j++) logDet[c] += 2 * Math.log(factor[c * d * d + j * d + j]);
    } else {
      for (let j = 0; j < d; j++) {
        const v = factor[c * d + j];
        if (!(v > 0)) return null;
        factor[c * d + j] = Math.sqrt(v);
        logDet[c] += Math.log(v);
      }
    }
  }
  return { factor, logDet };
}

/**
 * E-step: per point, log(weight_c · N(x | c)) normalised into responsibilities (written into
 * `resp`, row-major n × k); returns the mean log-likelihood.
 */
export function expectation(
  P: Points,
  params: MixtureParams,
  factors: MixtureFactors,
  type: CovarianceType,
  resp: Float64Array,
): number {
  const { n, d, data } = P;
  const k = params.weights.length;
  const work = new Float64Array(d);
  const logWeights = Float64Array.from(params.weights, Math.log);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const v =
        logWeights[c] +
        gaussianLogDensity(
          data,
          i,
          params.means,
          factors.factor,
          factors.logDet[c],
          c,
          d,
          type === 'full',
          work,
        );
      resp[i * k + c] = v;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(resp[i * k + c] - max);
    const logNorm = max + Math.log(sum);
    total += logNorm;
    for (let c = 0; c < k; c++) resp[i * k + c] = Math.exp(resp[i * k + c] - logNorm);
  }
  return total / n;
}

/**
 * M-step from responsibilities: weights, means, and covariances with `regularization` added to the
 * diagonal (scikit-learn's reg_covar) so a component collapsing onto a few rows stays invertible.
 */
export function maximization(
  P: Points,
  resp: Float64Array,
  k: number,
  type: CovarianceType,
  regularization: number,
): MixtureParams {
  const { n, d, data } = P;
  const nk = new Float64Array(k);
  const means = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      nk[c] += r;
      for (let j = 0; j < d; j++) means[c * d + j] += r * data[i * d + j];
    }
  }
  // A tiny floor keeps an empty component's statistics finite, as scikit-learn's 10·eps does.
  for (let c = 0; c < k; c++) nk[c] += 10 * Number.EPSILON;
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] /= nk[c];
  const covariances = new Float64Array(type === 'full' ? k * d * d : k * d);
  const diff = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      for (let j = 0; j < d; j++) diff[j] = data[i * d + j] - means[c * d + j];
      if (type === 'full') {
        const o = c * d * d;
        for (let a = 0; a < d; a++) {
          const ra = r * diff[a];
          for (let b = 0; b <= a; b++) covariances[o + a * d + b] += ra * diff[b];
        }
      } else {
        for (let j = 0; j < d; j++) covariances[c * d + j] += r * diff[j] * diff[j];
      }
    }
  }
  for (let c = 0; c < k; c++) {
    if (type === 'full') {
      const o = c * d * d;
      for (let a = 0; a < d; a++) {
        for (let b = 0; b <= a; b++) {
          const v = covariances[o + a * d + b] / nk[c];
          covariances[o + a * d + b] = v;
          covariances[o + b * d + a] = v;
        }
        covariances[o + a * d + a] += regularization;
      }
    } else {
      for (let j = 0; j < d; j++) covariances[c * d + j] = covariances[c * d + j] / nk[c] + regularization;
    }
  }
  const weights = Float64Array.from(nk, (v) => v / n);
  return { weights, means, covariances };
}
