/**
 * Penalised weighted least squares, the problem coordinate descent solves
 * (Friedman, Hastie & Tibshirani 2010):
 *
 *   minimise ½ Σᵢ wᵢ (zᵢ − b₀ − Σⱼ Zᵢⱼ βⱼ)² + l1 Σⱼ |βⱼ| + (l2/2) Σⱼ βⱼ²    (b₀ unpenalised)
 *
 * It is the lasso / elastic net itself and the inner problem of each IRLS step of penalised logistic
 * regression. Z is column-major n × p.
 */
export interface PenalizedLeastSquares {
  readonly Z: Float64Array;
  readonly n: number;
  readonly p: number;
  /** Observation weights (n), ≥ 0. */
  readonly w: Float64Array;
  /** z − b₀ − Zβ at the starting β and b₀ (n); the solvers leave it current for the final ones. */
  readonly r: Float64Array;
  readonly l1: number;
  readonly l2: number;
  readonly fitIntercept: boolean;
  /**
   * Flattened [start, end) column ranges of one-hot blocks: 0/1 columns with at most one 1 per row.
   * A block's columns sum to 1 on every row with a known category, so moving all its coefficients by +c and b₀ by −c changes only the rows
   * with none. Single-coordinate steps creep along that direction (the zig-zag of collinear
   * columns), so each sweep also takes the exact minimising step along it.
   */
  readonly blocks: Int32Array;
}

export interface DescentState {
  beta: Float64Array;
  intercept: number;
}

export interface DescentResult {
  sweeps: number;
  converged: boolean;
}

export function softThreshold(x: number, t: number): number {
  return x > t ? x - t : x < -t ? x + t : 0;
}

/** Per block, the rows where all its columns are 0 (missing or unseen category). */
export function uncoveredRows(Z: Float64Array, n: number, blocks: Int32Array): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (let b = 0; b < blocks.length; b += 2) {
    const covered = new Uint8Array(n);
    for (let j = blocks[b]; j < blocks[b + 1]; j++) {
      const zj = Z.subarray(j * n, (j + 1) * n);
      for (let i = 0; i < n; i++) if (zj[i] !== 0) covered[i] = 1;
    }
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (covered[i] === 0) rows.push(i);
    out.push(Uint32Array.from(rows));
  }
  return out;
}

/**
 * argmin over c of ½·a·c² + b·c + Σₖ (l1·|vₖ + c| + (l2/2)(vₖ + c)²): a 1-D convex piecewise
 * quadratic, solved exactly by walking its breakpoints −vₖ in order. Returns 0 when it is flat.
 */
export function minimizeShift(values: Float64Array, a: number, b: number, l1: number, l2: number): number {
  const k = values.length;
  const slope = a + k * l2;
  if (slope === 0 && l1 === 0) return 0;
  let sum = 0;
  for (let i = 0; i < k; i++) sum += values[i];
  const breaks = Float64Array.from(values, (v) => -v).sort();
  // On the open interval after m breakpoints the derivative is slope·c + base + l1·(2m − k).
  const base = b + l2 * sum;
  for (let m = 0; m <= k; m++) {
    const lo = m === 0 ? -Infinity : breaks[m - 1];
    const hi = m === k ? Infinity : breaks[m];
    const offset = base + l1 * (2 * m - k);
    if (slope > 0) {
      const c = -offset / slope;
      if (c > lo && c < hi) return c;
    }
    // The derivative jumps by 2·l1 at the breakpoint hi: stop there if it changes sign across it.
    if (m < k && slope * hi + offset <= 0 && slope * hi + offset + 2 * l1 >= 0) return hi;
  }
  return 0;
}
