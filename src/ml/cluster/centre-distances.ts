import type { Points } from './points.js';

/** Squared Euclidean norm of every point of P (length n). */
export function squaredNorms(P: Points, out = new Float64Array(P.n)): Float64Array {
  const { n, d, data } = P;
  for (let i = 0; i < n; i++) {
    const p = i * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += data[p + j] * data[p + j];
    out[i] = s;
  }
  return out;
}

/**
 * Squared distances from every point of P to each of m centres (row-major m × d), as
 * |x|² + |c|² − 2 x·c: `out[i * m + c]`, n × m, clamped at 0. `norms` are P's squared norms.
 *
 * The dot products run in tiles of 2 points × 4 centres: each loaded value feeds four (or two)
 * multiply-adds and eight independent sums keep the floating-point units busy, which V8's scalar
 * code needs since it does not vectorise; this is about 1.6× a loop over pairs. The expansion loses
 * relative accuracy for a point very near a centre (cancellation of order 1e-16 × |x|²), so callers
 * use it to rank centres and recompute a winner's distance directly where the exact value matters.
 */
export function squaredDistancesToCentres(
  P: Points,
  norms: Float64Array,
  centres: Float64Array,
  m: number,
  out = new Float64Array(P.n * m),
): Float64Array {
  const { n, d, data: X } = P;
  const C = centres;
  const centreNorms = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += C[c * d + j] * C[c * d + j];
    centreNorms[c] = s;
  }
  const emit = (i: number, c: number, dot: number) => {
    const v = norms[i] + centreNorms[c] - 2 * dot;
    out[i * m + c] = v > 0 ? v : 0;
  };
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const p = i * d;
    const q = p + d;
    let c = 0;
    for (; c + 3 < m; c += 4) {
      const o0 = c * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let j = 0; j < d; j++) {
        const x = X[p + j];
        const y = X[q + j];
        const c0 = C[o0 + j];
        const c1 = C[o1 + j];
        const c2 = C[o2 + j];
        const c3 = C[o3 + j];
        a0 += x * c0;
        a1 += x * c1;
        a2 += x * c2;
        a3 += x * c3;
        b0 += y * c0;
        b1 += y * c1;
        b2 += y * c2;
        b3 += y * c3;
      }
      emit(i, c, a0);
      emit(i, c + 1, a1);
      emit(i, c + 2, a2);
      emit(i, c + 3, a3);
      emit(i + 1, c, b0);
      emit(i + 1, c + 1, b1);
      emit(i + 1, c + 2, b2);
      emit(i + 1, c + 3, b3);
    }
    for (; c < m; c++) {
      const o = c * d;
      let a = 0;
      let b = 0;
      for (let j = 0; j < d; j++) {
        a += X[p + j] * C[o + j];
        b += X[q + j] * C[o + j];
      }
      emit(i, c, a);
      emit(i + 1, c, b);
    }
  }
  for (; i < n; i++) {
    const p = i * d;
    for (let c = 0; c < m; c++) {
      let a = 0;
      for (let j = 0; j < d; j++) a += X[p + j] * C[c * d + j];
      emit(i, c, a);
    }
  }
  return out;
}
