/**
 * Gaussian log-densities for the mixture model. Covariances are stored as a lower Cholesky factor
 * per component, so a log-density costs one triangular solve and no inverse is ever formed.
 */

/** In-place lower Cholesky of the d × d row-major block at `offset`; false when not positive definite. */
export function choleskyInPlace(A: Float64Array, offset: number, d: number): boolean {
  for (let j = 0; j < d; j++) {
    let s = A[offset + j * d + j];
    for (let t = 0; t < j; t++) s -= A[offset + j * d + t] ** 2;
    if (!(s > 0)) return false;
    const diag = Math.sqrt(s);
    A[offset + j * d + j] = diag;
    for (let i = j + 1; i < d; i++) {
      let v = A[offset + i * d + j];
      for (let t = 0; t < j; t++) v -= A[offset + i * d + t] * A[offset + j * d + t];
      A[offset + i * d + j] = v / diag;
    }
    for (let t = j + 1; t < d; t++) A[offset + j * d + t] = 0;
  }
  return true;
}

/**
 * log N(x | mean, Σ) for point i of row-major X, with Σ = L Lᵀ given by its factor (full: d × d
 * lower block at c·d², diagonal: the d standard deviations at c·d) and its log-determinant.
 */
export function gaussianLogDensity(
  X: Float64Array,
  i: number,
  means: Float64Array,
  factor: Float64Array,
  logDet: number,
  c: number,
  d: number,
  full: boolean,
  work: Float64Array,
): number {
  let quad = 0;
  if (full) {
    const o = c * d * d;
    for (let j = 0; j < d; j++) {
      let v = X[i * d + j] - means[c * d + j];
      for (let t = 0; t < j; t++) v -= factor[o + j * d + t] * work[t];
      v /= factor[o + j * d + j];
      work[j] = v;
      quad += v * v;
    }
  } else {
    for (let j = 0; j < d; j++) {
      const v = (X[i * d + j] - means[c * d + j]) / factor[c * d + j];
      quad += v * v;
    }
  }
  return -0.5 * (d * Math.log(2 * Math.PI) + logDet + quad);
}
