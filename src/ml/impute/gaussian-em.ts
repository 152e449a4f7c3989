import { CairnError } from '../../core/errors.js';
import type { FeatureMatrix } from '../matrix.js';
import { readHeader, readNumber, readNumbers, readStrings } from '../anomaly/model-io.js';

const FORMAT = 'cairn-gaussian-em';

/**
 * A multivariate normal fitted by EM to numeric columns with gaps (Dempster, Laird & Rubin 1977;
 * Little & Rubin, "Statistical Analysis with Missing Data", ch. 11), and the fills it implies: each
 * row's missing values are their conditional mean given that row's observed values.
 *
 * This is the iterative linear imputation without the drift of chained point predictions: each gap
 * is regressed on the values actually observed in its row, never on earlier fills, and the
 * covariance re-estimate adds the conditional variance of the fills, which plugging in point
 * predictions leaves out (so MICE's chained linear fits grow over-confident in their own fills).
 * Rows are grouped by missingness pattern, so each E-step factors one covariance block per pattern.
 * Work runs on standardised columns (observed mean and std) for conditioning.
 */
export function fitGaussianEm(X: FeatureMatrix, maxIter: number, tol: number): GaussianModel {
  const { rows: n, cols: d } = X;
  if (X.categoryCounts.some((k) => k > 0)) {
    throw new CairnError('INVALID_ARGUMENT', 'fitGaussianEm: every column must be numeric');
  }
  const { centre, scale } = columnScales(X);
  const Z = standardise(X, centre, scale);
  const patterns = missingPatterns(Z, n, d);
  let mean = new Float64Array(d);
  // Start from the mean-filled covariance: positive semi-definite, unlike pairwise-complete estimates.
  let cov = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const u = Z[a * n + i];
        const v = Z[b * n + i];
        if (u === u && v === v) s += u * v;
      }
      cov[a * d + b] = cov[b * d + a] = s / n;
    }
  }
  let largest = 0;
  for (const v of Z) if (v === v && Math.abs(v) > largest) largest = Math.abs(v);
  const filled = new Float64Array(n * d);
  for (let t = 0; t < n * d; t++) filled[t] = Z[t] === Z[t] ? Z[t] : 0;
  let iterations = 0;
  for (let it = 0; it < maxIter; it++) {
    iterations++;
    const sum = new Float64Array(d);
    const cross = new Float64Array(d * d);
    let moved = 0;
    for (const pattern of patterns) {
      const { B, C } = conditional(cov, d, pattern.observed, pattern.missing);
      const m = pattern.missing.length;
      for (const i of pattern.rows) {
        moved = Math.max(moved, fillRow(Z, filled, n, i, mean, pattern, B));
      }
      // E[x xᵀ] adds the conditional covariance of the missing block, once per row of the pattern.
      const count = pattern.rows.length;
      for (let u = 0; u < m; u++) {
        for (let v = u; v < m; v++)
          cross[pattern.missing[u] * d + pattern.missing[v]] += count * C[u * m + v];
      }
    }
    const x = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < d; a++) x[a] = filled[a * n + i];
      for (let a = 0; a < d; a++) {
        sum[a] += x[a];
        const xa = x[a];
        for (let b = a; b < d; b++) cross[a * d + b] += xa * x[b];
      }
    }
    mean = sum.map((s) => s / n);
    const next = new Float64Array(d * d);
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        const c = cross[a * d + b] / n - mean[a] * mean[b];
        next[a * d + b] = next[b * d + a] = c;
      }
    }
    cov = next;
    if (it > 0 && moved < tol * largest) break;
  }
  return new GaussianModel([...X.names], centre, scale, mean, cov, iterations);
}

interface Pattern {
  observed: Int32Array;
  missing: Int32Array;
  rows: Uint32Array;
}

/** Rows grouped by which columns they miss (only rows with a gap). */
function missingPatterns(Z: Float64Array, n: number, d: number): Pattern[] {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    let key = '';
    for (let j = 0; j < d; j++) key += Z[j * n + i] === Z[j * n + i] ? '1' : '0';
    if (!key.includes('0')) continue;
    const rows = groups.get(key);
    if (rows === undefined) groups.set(key, [i]);
    else rows.push(i);
  }
  return [...groups].map(([key, rows]) => {
    const observed: number[] = [];
    const missing: number[] = [];
    for (let j = 0; j < d; j++) (key[j] === '1' ? observed : missing).push(j);
    return {
      observed: Int32Array.from(observed),
      missing: Int32Array.from(missing),
      rows: Uint32Array.from(rows),
    };
  });
}

/**
 * For observed set O and missing set M: B = Σ_OO⁻¹ Σ_OM (|O| × |M|, the regression of the missing
 * values on the observed ones) and C = Σ_MM − Σ_MO B (|M| × |M|, their conditional covariance).
 */
function conditional(
  cov: Float64Array,
  d: number,
  observed: Int32Array,
  missing: Int32Array,
): { B: Float64Array; C: Float64Array } {
  const p = observed.length;
  const m = missing.length;
  const L = new Float64Array(p * p);
  for (let a = 0; a < p; a++) for (let b = 0; b <= a; b++) L[a * p + b] = cov[observed[a] * d + observed[b]];
  cholesky(L, p);
  const B = new Float64Array(p * m);
  const column = new Float64Array(p);
  for (let u = 0; u < m; u++) {
    for (let a = 0; a < p; a++) column[a] = cov[observed[a] * d + missing[u]];
    choleskySolveInPlace(L, p, column);
    for (let a = 0; a < p; a++) B[a * m + u] = column[a];
  }
  const C = new Float64Array(m * m);
  for (let u = 0; u < m; u++) {
    for (let v = 0; v < m; v++) {
      let s = cov[missing[u] * d + missing[v]];
      for (let a = 0; a < p; a++) s -= cov[missing[u] * d + observed[a]] * B[a * m + v];
      C[u * m + v] = s;
    }
  }
  return { B, C };
}

/** Writes row i's conditional means into `filled` (column-major n × d); returns the largest move. */
function fillRow(
  Z: Float64Array,
  filled: Float64Array,
  n: number,
  i: number,
  mean: Float64Array,
  pattern: Pattern,
  B: Float64Array,
): number {
  const { observed, missing } = pattern;
  const m = missing.length;
  let moved = 0;
  for (let u = 0; u < m; u++) {
    const j = missing[u];
    let v = mean[j];
    for (let a = 0; a < observed.length; a++) {
      const o = observed[a];
      v += B[a * m + u] * (Z[o * n + i] - mean[o]);
    }
    moved = Math.max(moved, Math.abs(v - filled[j * n + i]));
    filled[j * n + i] = v;
  }
  return moved;
}

/** In-place lower Cholesky factor of the p × p matrix in L's lower triangle; a non-positive pivot (a column that is a combination of others) is floored so the solve ignores that direction. */
function cholesky(L: Float64Array, p: number): void {
  let largest = 0;
  for (let a = 0; a < p; a++) largest = Math.max(largest, L[a * p + a]);
  const floor = 1e-12 * (largest > 0 ? largest : 1);
  for (let j = 0; j < p; j++) {
    let s = L[j * p + j];
    for (let k = 0; k < j; k++) s -= L[j * p + k] * L[j * p + k];
    const root = Math.sqrt(s > floor ? s : floor);
    L[j * p + j] = root;
    for (let i = j + 1; i < p; i++) {
      let t = L[i * p + j];
      for (let k = 0; k < j; k++) t -= L[i * p + k] * L[j * p + k];
      L[i * p + j] = t / root;
    }
  }
}

function choleskySolveInPlace(L: Float64Array, p: number, b: Float64Array): void {
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * p + k] * b[k];
    b[i] = s / L[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < p; k++) s -= L[k * p + i] * b[k];
    b[i] = s / L[i * p + i];
  }
}

function columnScales(X: FeatureMatrix): { centre: Float64Array; scale: Float64Array } {
  const { rows: n, cols: d } = X;
  const centre = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  for (let j = 0; j < d; j++) {
    let s = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const v = X.data[j * n + i];
      if (v === v) {
        s += v;
        c++;
      }
    }
    centre[j] = c > 0 ? s / c : 0;
    let q = 0;
    for (let i = 0; i < n; i++) {
      const v = X.data[j * n + i];
      if (v === v) q += (v - centre[j]) ** 2;
    }
    if (c > 0 && q > 0) scale[j] = Math.sqrt(q / c);
  }
  return { centre, scale };
}

function standardise(X: FeatureMatrix, centre: Float64Array, scale: Float64Array): Float64Array {
  const n = X.rows;
  const Z = new Float64Array(X.data.length);
  for (let j = 0; j < X.cols; j++)
    for (let i = 0; i < n; i++) Z[j * n + i] = (X.data[j * n + i] - centre[j]) / scale[j];
  return Z;
}

export interface GaussianJson {
  format: typeof FORMAT;
  version: 1;
  names: string[];
  centre: number[];
  scale: number[];
  mean: number[];
  cov: number[];
  iterations: number;
}

/** A fitted normal: conditional-mean fills for numeric gaps, with their conditional std. */
export class GaussianModel {
  /** @internal built by fitGaussianEm and fromJSON. */
  constructor(
    readonly names: readonly string[],
    private readonly centre: Float64Array,
    private readonly scale: Float64Array,
    /** Mean and covariance (d × d) of the standardised columns. */
    private readonly mean: Float64Array,
    private readonly cov: Float64Array,
    readonly iterations: number,
  ) {}

  /**
   * Fills every gap of X (same columns as the fit) with its conditional mean; calls `filled` for
   * each cell with its value and conditional standard deviation, in the columns' units.
   */
  fill(
    X: FeatureMatrix,
    filled: (row: number, col: number, value: number, std: number) => void,
  ): Float64Array {
    const { rows: n, cols: d } = X;
    const Z = standardise(X, this.centre, this.scale);
    const work = Float64Array.from(Z);
    // Observed cells are copied, not round-tripped through the standardisation.
    const out = Float64Array.from(X.data);
    for (const pattern of missingPatterns(Z, n, d)) {
      const { B, C } = conditional(this.cov, d, pattern.observed, pattern.missing);
      const m = pattern.missing.length;
      for (const i of pattern.rows) {
        fillRow(Z, work, n, i, this.mean, pattern, B);
        for (let u = 0; u < m; u++) {
          const j = pattern.missing[u];
          const value = work[j * n + i] * this.scale[j] + this.centre[j];
          out[j * n + i] = value;
          filled(i, j, value, Math.sqrt(Math.max(C[u * m + u], 0)) * this.scale[j]);
        }
      }
    }
    return out;
  }

  toJSON(): GaussianJson {
    return {
      format: FORMAT,
      version: 1,
      names: [...this.names],
      centre: Array.from(this.centre),
      scale: Array.from(this.scale),
      mean: Array.from(this.mean),
      cov: Array.from(this.cov),
      iterations: this.iterations,
    };
  }

  static fromJSON(json: unknown): GaussianModel {
    const o = readHeader(json, FORMAT);
    const names = readStrings(o, 'names', FORMAT);
    const d = names.length;
    const cov = readNumbers(o, 'cov', FORMAT);
    if (cov.length !== d * d) {
      throw new CairnError('INVALID_ARGUMENT', `${FORMAT} model: covariance is not ${d} × ${d}`);
    }
    return new GaussianModel(
      names,
      readNumbers(o, 'centre', FORMAT),
      readNumbers(o, 'scale', FORMAT),
      readNumbers(o, 'mean', FORMAT),
      cov,
      readNumber(o, 'iterations', FORMAT),
    );
  }
}
