import { descendGram } from './gram-descent.js';
import {
  minimizeShift,
  softThreshold,
  uncoveredRows,
  type DescentResult,
  type DescentState,
  type PenalizedLeastSquares,
} from './penalized-least-squares.js';

export type { DescentResult, DescentState, PenalizedLeastSquares } from './penalized-least-squares.js';
export { minimizeShift } from './penalized-least-squares.js';

/**
 * Cyclic coordinate descent on a penalised least-squares problem, from `state` (warm start).
 * Runs sweeps until no coordinate moves by more than `tolerance` in units of its column's weighted
 * root mean square (a scale-free test), or `maxSweeps` run out. Mutates `state` and `problem.r`.
 *
 * Like glmnet it picks between two sweeps: "covariance" updates on the weighted Gram matrix when the
 * columns are few (a sweep costs O(p²), zero coefficients O(1), after one O(n·p²) product), and
 * "naive" residual updates otherwise (O(n·p) a sweep, no p × p memory).
 */
export function descend(
  problem: PenalizedLeastSquares,
  state: DescentState,
  tolerance: number,
  maxSweeps: number,
): DescentResult {
  const m = problem.p + 1 + problem.blocks.length / 2;
  if (m <= 500 && problem.n >= m) return descendGram(problem, state, tolerance, maxSweeps);
  return descendNaive(problem, state, tolerance, maxSweeps);
}

/** Residual-update sweeps (Friedman et al. 2010, §2.1 "naive updates"). */
export function descendNaive(
  problem: PenalizedLeastSquares,
  state: DescentState,
  tolerance: number,
  maxSweeps: number,
): DescentResult {
  const { Z, n, p, w, r, l1, l2, fitIntercept, blocks } = problem;
  const beta = state.beta;
  let weightSum = 0;
  for (let i = 0; i < n; i++) weightSum += w[i];
  if (!(weightSum > 0)) return { sweeps: 0, converged: true };
  const curvature = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const zj = Z.subarray(j * n, (j + 1) * n);
    let h = 0;
    for (let i = 0; i < n; i++) h += w[i] * zj[i] * zj[i];
    curvature[j] = h;
  }
  const uncovered = fitIntercept ? uncoveredRows(Z, n, blocks) : [];
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    let largest = 0;
    for (let j = 0; j < p; j++) {
      const h = curvature[j];
      if (h === 0) continue;
      const old = beta[j];
      // Column views index with i alone, which V8 compiles much tighter than a second running offset.
      const zj = Z.subarray(j * n, (j + 1) * n);
      let g = 0;
      for (let i = 0; i < n; i++) g += w[i] * zj[i] * r[i];
      const next = softThreshold(g + h * old, l1) / (h + l2);
      const delta = next - old;
      if (delta === 0) continue;
      beta[j] = next;
      for (let i = 0; i < n; i++) r[i] -= delta * zj[i];
      largest = Math.max(largest, Math.abs(delta) * Math.sqrt(h / weightSum));
    }
    if (fitIntercept) {
      let g = 0;
      for (let i = 0; i < n; i++) g += w[i] * r[i];
      const delta = g / weightSum;
      state.intercept += delta;
      for (let i = 0; i < n; i++) r[i] -= delta;
      largest = Math.max(largest, Math.abs(delta));
      for (let b = 0; b < uncovered.length; b++) {
        const rows = uncovered[b];
        let a = 0;
        let slope = 0;
        for (const i of rows) {
          a += w[i];
          slope += w[i] * r[i];
        }
        const start = blocks[2 * b];
        const c = minimizeShift(beta.subarray(start, blocks[2 * b + 1]), a, slope, l1, l2);
        if (c === 0 || !Number.isFinite(c)) continue;
        for (let j = start; j < blocks[2 * b + 1]; j++) beta[j] += c;
        state.intercept -= c;
        for (const i of rows) r[i] += c;
        largest = Math.max(largest, Math.abs(c));
      }
    }
    if (largest <= tolerance) return { sweeps: sweep, converged: true };
  }
  return { sweeps: maxSweeps, converged: false };
}
