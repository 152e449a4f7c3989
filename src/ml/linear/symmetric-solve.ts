/**
 * Dense solves of the small symmetric positive semi-definite systems of the normal equations
 * (p × p with p the expanded feature count, so O(p³) is cheap next to forming XᵀX in O(n·p²)).
 */

export interface SymmetricSolution {
  x: Float64Array;
  /** Numerical rank of A. */
  rank: number;
  /** 'cholesky' for a full-rank A; 'eigen' when A was rank deficient and the minimum-norm solution was taken. */
  method: 'cholesky' | 'eigen';
}

/**
 * Solves A·x = b (A symmetric p × p, positive semi-definite). Cholesky first; if a pivot falls to
 * ≤ rcond × the largest diagonal (collinear columns, e.g. one-hot blocks beside an intercept) it
 * falls back to the minimum-norm solution through an eigendecomposition, dropping eigenvalues below
 * rcond × the largest: the solution scikit-learn's lstsq-based LinearRegression returns.
 */
export function solveSymmetric(
  A: Float64Array,
  b: Float64Array,
  p: number,
  rcond = 1e-10,
): SymmetricSolution {
  const x = choleskySolve(A, b, p, rcond);
  if (x !== null) return { x, rank: p, method: 'cholesky' };
  const { values, vectors } = symmetricEigen(A, p);
  const largest = values.reduce((m, v) => Math.max(m, v), 0);
  const out = new Float64Array(p);
  let rank = 0;
  for (let k = 0; k < p; k++) {
    if (!(values[k] > rcond * largest)) continue;
    rank++;
    let projection = 0;
    for (let i = 0; i < p; i++) projection += vectors[i * p + k] * b[i];
    const scale = projection / values[k];
    for (let i = 0; i < p; i++) out[i] += scale * vectors[i * p + k];
  }
  return { x: out, rank, method: 'eigen' };
}

/** x with A·x = b by Cholesky (A = L·Lᵀ), or null when a pivot is ≤ rcond × the largest diagonal. */
export function choleskySolve(
  A: Float64Array,
  b: Float64Array,
  p: number,
  rcond = 1e-10,
): Float64Array | null {
  let maxDiagonal = 0;
  for (let i = 0; i < p; i++) maxDiagonal = Math.max(maxDiagonal, A[i * p + i]);
  const L = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    let d = A[j * p + j];
    for (let k = 0; k < j; k++) d -= L[j * p + k] * L[j * p + k];
    if (!(d > rcond * maxDiagonal)) return null;
    const root = Math.sqrt(d);
    L[j * p + j] = root;
    for (let i = j + 1; i < p; i++) {
      let s = A[i * p + j];
      for (let k = 0; k < j; k++) s -= L[i * p + k] * L[j * p + k];
      L[i * p + j] = s / root;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < p; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= L[i * p + k] * x[k];
    x[i] = s / L[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < p; k++) s -= L[k * p + i] * x[k];
    x[i] = s / L[i * p + i];
  }
  return x;
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations: slow for large p
 * but accurate to rounding for the small, possibly singular matrices here. vectors[i·p + k] is
 * component i of eigenvector k.
 */
export function symmetricEigen(A: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(A);
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        total += a[i * p + j] ** 2;
        if (i !== j) off += a[i * p + j] ** 2;
      }
    }
    if (off <= 1e-30 * total) break;
    for (let q = 0; q < p; q++) {
      for (let r = q + 1; r < p; r++) {
        const aqr = a[q * p + r];
        if (aqr === 0) continue;
        // The rotation angle that zeroes a[q][r] (Golub & Van Loan, Algorithm 8.5.1, stable form).
        const theta = (a[r * p + r] - a[q * p + q]) / (2 * aqr);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const akq = a[k * p + q];
          const akr = a[k * p + r];
          a[k * p + q] = c * akq - s * akr;
          a[k * p + r] = s * akq + c * akr;
        }
        for (let k = 0; k < p; k++) {
          const aqk = a[q * p + k];
          const ark = a[r * p + k];
          a[q * p + k] = c * aqk - s * ark;
          a[r * p + k] = s * aqk + c * ark;
        }
        for (let k = 0; k < p; k++) {
          const vkq = v[k * p + q];
          const vkr = v[k * p + r];
          v[k * p + q] = c * vkq - s * vkr;
          v[k * p + r] = s * vkq + c * vkr;
        }
      }
    }
  }
  const values = Float64Array.from({ length: p }, (_, i) => a[i * p + i]);
  return { values, vectors: v };
}
