import type { Points } from './points.js';

/**
 * Squared Euclidean distances from every point of P to each of m centres (row-major m × d):
 * `out[i * m + c]`, n × m.
 *
 * The work runs in tiles of 2 points × 4 centres: each loaded value feeds four (or two)
 * subtract-multiply-adds and eight independent sums keep the floating-point units busy, which V8's
 * scalar code needs since it does not vectorise; this is about 1.9× a loop over pairs. Differences
 * are squared directly (not |x|² + |c|² − 2x·c, which measured no faster here) so values are exact to
 * rounding and equal distances stay equal, which tie-breaking in the linkages relies on.
 */
export function squaredDistancesToCentres(
  P: Points,
  centres: Float64Array,
  m: number,
  out = new Float64Array(P.n * m),
): Float64Array {
  tile(P, 0, P.n, centres, 0, m, out);
  return out;
}

/**
 * The n × n matrix of Euclidean distances between the points of P (squared when `squared`), by the
 * same tiles over the upper triangle, mirrored.
 */
export function pairwiseDistances(P: Points, squared = false): Float64Array {
  const { n } = P;
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i += 2) tile(P, i, Math.min(i + 2, n), P.data, i, n, D);
  // Mirror in 64 × 64 blocks: a plain column walk misses the cache on every write.
  const B = 64;
  for (let bi = 0; bi < n; bi += B) {
    for (let bj = bi; bj < n; bj += B) {
      const iEnd = Math.min(bi + B, n);
      for (let i = bi; i < iEnd; i++) {
        D[i * n + i] = 0;
        for (let j = Math.max(bj, i + 1), jEnd = Math.min(bj + B, n); j < jEnd; j++) {
          const v = squared ? D[i * n + j] : Math.sqrt(D[i * n + j]);
          D[i * n + j] = v;
          D[j * n + i] = v;
        }
      }
    }
  }
  return D;
}

/**
 * Squared distances from points [i0, i1) of P to centres [c0, m) of C into `out[i * m + c]`.
 * X: points row-major n × d; C: centres row-major m × d.
 */
function tile(
  P: Points,
  i0: number,
  i1: number,
  C: Float64Array,
  c0: number,
  m: number,
  out: Float64Array,
): void {
  const { d, data: X } = P;
  let i = i0;
  for (; i + 1 < i1; i += 2) {
    const p = i * d;
    const q = p + d;
    const r = i * m;
    const s = r + m;
    let c = c0;
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
        let t = x - c0;
        a0 += t * t;
        t = x - c1;
        a1 += t * t;
        t = x - c2;
        a2 += t * t;
        t = x - c3;
        a3 += t * t;
        t = y - c0;
        b0 += t * t;
        t = y - c1;
        b1 += t * t;
        t = y - c2;
        b2 += t * t;
        t = y - c3;
        b3 += t * t;
      }
      out[r + c] = a0;
      out[r + c + 1] = a1;
      out[r + c + 2] = a2;
      out[r + c + 3] = a3;
      out[s + c] = b0;
      out[s + c + 1] = b1;
      out[s + c + 2] = b2;
      out[s + c + 3] = b3;
    }
    for (; c < m; c++) {
      const o = c * d;
      let a = 0;
      let b = 0;
      for (let j = 0; j < d; j++) {
        const t = X[p + j] - C[o + j];
        const u = X[q + j] - C[o + j];
        a += t * t;
        b += u * u;
      }
      out[r + c] = a;
      out[s + c] = b;
    }
  }
  for (; i < i1; i++) {
    const p = i * d;
    for (let c = c0; c < m; c++) {
      let a = 0;
      for (let j = 0; j < d; j++) {
        const t = X[p + j] - C[c * d + j];
        a += t * t;
      }
      out[i * m + c] = a;
    }
  }
}
