import { strongWolfe, type LinePoint } from './line-search.js';

/** A smooth objective: returns f(x) and writes ∇f(x) into `grad` (same length as x). */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Iterations (line searches) allowed, default 500. */
  maxIter?: number;
  /** Pairs (s, y) kept for the inverse-Hessian approximation, default 10. */
  memory?: number;
  /** Stop when max |∇f| ≤ gradTol (absolute, as scipy's pgtol), default 1e-6. */
  gradTol?: number;
  /** Stop when (f_prev − f) ≤ lossTol · max(|f_prev|, |f|, 1) (scipy's factr·eps), default 1e-12. */
  lossTol?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  loss: number;
  iterations: number;
  /** Whether a tolerance was met (false: out of iterations, or the line search found no decrease). */
  converged: boolean;
  gradNorm: number;
}

/** Minimises `objective` from `x0` (not modified) by limited-memory BFGS with a strong-Wolfe line search. */
export function minimizeLbfgs(
  objective: Objective,
  x0: Float64Array,
  options: LbfgsOptions = {},
): LbfgsResult {
  const maxIter = options.maxIter ?? 500;
  const m = Math.max(1, options.memory ?? 10);
  const gradTol = options.gradTol ?? 1e-6;
  const lossTol = options.lossTol ?? 1e-12;
  const n = x0.length;

  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = objective(x, g);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const d = new Float64Array(n);
  // Ring buffers of the last m pairs s = Δx, y = Δ∇f, row k at offset k·n.
  const S = new Float64Array(m * n);
  const Y = new Float64Array(m * n);
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let stored = 0;
  let newest = -1;

  let gradNorm = maxAbs(g);
  if (!Number.isFinite(f)) return { x, loss: f, iterations: 0, converged: false, gradNorm };
  if (gradNorm <= gradTol) return { x, loss: f, iterations: 0, converged: true, gradNorm };

  let lastStep = NaN;
  const probe = (step: number): LinePoint => {
    lastStep = step;
    for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
    const value = objective(xNew, gNew);
    return { value, slope: dot(gNew, d, n) };
  };

  for (let iter = 1; iter <= maxIter; iter++) {
    direction(d, g, S, Y, rho, alpha, stored, newest, m, n);
    let slope = dot(g, d, n);
    if (!(slope < 0)) {
      // The approximation lost positive definiteness through rounding: restart from steepest descent.
      stored = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = -dot(g, g, n);
    }
    // Without curvature pairs the direction is −∇f, so the first step is scaled to move ~1 unit.
    const firstStep = stored === 0 ? Math.min(1, 1 / maxAbs(d)) : 1;
    const search = strongWolfe(probe, { value: f, slope }, firstStep);
    if (search.step === 0) {
      if (stored > 0) {
        stored = 0;
        iter--;
        continue;
      }
      return { x, loss: f, iterations: iter, converged: false, gradNorm };
    }
    if (lastStep !== search.step) probe(search.step);

    const slot = (newest + 1) % m;
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      const s = xNew[i] - x[i];
      const yi = gNew[i] - g[i];
      S[slot * n + i] = s;
      Y[slot * n + i] = yi;
      sy += s * yi;
      yy += yi * yi;
    }
    // Keep the pair only with positive curvature, so the implied inverse Hessian stays positive definite.
    if (sy > 1e-12 * yy) {
      rho[slot] = 1 / sy;
      newest = slot;
      stored = Math.min(stored + 1, m);
    } else if (stored === m) {
      stored = m - 1; // the slot just overwritten held the oldest pair
    }
    const fPrev = f;
    f = search.value;
    x.set(xNew);
    g.set(gNew);
    gradNorm = maxAbs(g);
    if (gradNorm <= gradTol) return { x, loss: f, iterations: iter, converged: true, gradNorm };
    if (fPrev - f <= lossTol * Math.max(Math.abs(fPrev), Math.abs(f), 1)) {
      return { x, loss: f, iterations: iter, converged: true, gradNorm };
    }
  }
  return { x, loss: f, iterations: maxIter, converged: false, gradNorm };
}

/** d = −H·g by the two-loop recursion, with H₀ = (s·y / y·y)·I from the newest pair. */
function direction(
  d: Float64Array,
  g: Float64Array,
  S: Float64Array,
  Y: Float64Array,
  rho: Float64Array,
  alpha: Float64Array,
  stored: number,
  newest: number,
  m: number,
  n: number,
): void {
  for (let i = 0; i < n; i++) d[i] = -g[i];
  if (stored === 0) return;
  for (let k = 0, slot = newest; k < stored; k++, slot = (slot - 1 + m) % m) {
    let a = 0;
    for (let i = 0; i < n; i++) a += S[slot * n + i] * d[i];
    a *= rho[slot];
    alpha[slot] = a;
    for (let i = 0; i < n; i++) d[i] -= a * Y[slot * n + i];
  }
  let yy = 0;
  for (let i = 0; i < n; i++) yy += Y[newest * n + i] ** 2;
  const gamma = 1 / (rho[newest] * yy);
  for (let i = 0; i < n; i++) d[i] *= gamma;
  for (let k = 0, slot = (newest - stored + 1 + m) % m; k < stored; k++, slot = (slot + 1) % m) {
    let b = 0;
    for (let i = 0; i < n; i++) b += Y[slot * n + i] * d[i];
    b *= rho[slot];
    for (let i = 0; i < n; i++) d[i] += (alpha[slot] - b) * S[slot * n + i];
  }
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]));
  return s;
}
