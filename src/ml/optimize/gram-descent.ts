import {
  minimizeShift,
  softThreshold,
  uncoveredRows,
  type DescentResult,
  type DescentState,
  type PenalizedLeastSquares,
} from './penalized-least-squares.js';

/**
 * Coordinate descent with "covariance updates" (Friedman et al. 2010, §2.2): every move is along a
 * column of A = [Z, 1, u₁ … u_B] (features, intercept, and per one-hot block the indicator of rows
 * the block leaves uncovered, along which a block shift moves the fit), so keeping G = AᵀWA and
 * c = AᵀW·r lets a coordinate step read its gradient from c in O(1) and update c in O(m).
 * Same contract as descendNaive; r is brought up to date once at the end.
 */
export function descendGram(
  problem: PenalizedLeastSquares,
  state: DescentState,
  tolerance: number,
  maxSweeps: number,
): DescentResult {
  const { Z, n, p, w, r, l1, l2, fitIntercept, blocks } = problem;
  const beta = state.beta;
  const uncovered = fitIntercept ? uncoveredRows(Z, n, blocks) : [];
  const B = uncovered.length;
  const one = p;
  const m = fitIntercept ? p + 1 + B : p;
  const G = new Float64Array(m * m);
  const c = new Float64Array(m);
  let weightSum = 0;
  for (let i = 0; i < n; i++) weightSum += w[i];
  if (!(weightSum > 0)) return { sweeps: 0, converged: true };

  const wz = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    const zj = Z.subarray(j * n, (j + 1) * n);
    for (let i = 0; i < n; i++) wz[i] = w[i] * zj[i];
    for (let k = 0; k <= j; k++) {
      // Column views index with i alone, which V8 compiles much tighter than a second running offset.
      const zk = Z.subarray(k * n, (k + 1) * n);
      let s = 0;
      for (let i = 0; i < n; i++) s += wz[i] * zk[i];
      G[j * m + k] = G[k * m + j] = s;
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += wz[i] * r[i];
    c[j] = s;
    if (!fitIntercept) continue;
    let total = 0;
    for (let i = 0; i < n; i++) total += wz[i];
    G[j * m + one] = G[one * m + j] = total;
    for (let b = 0; b < B; b++) {
      let part = 0;
      for (const i of uncovered[b]) part += wz[i];
      G[j * m + p + 1 + b] = G[(p + 1 + b) * m + j] = part;
    }
  }
  if (fitIntercept) {
    G[one * m + one] = weightSum;
    for (let i = 0; i < n; i++) c[one] += w[i] * r[i];
    const mark = new Uint8Array(n);
    for (let b = 0; b < B; b++) {
      const u = p + 1 + b;
      mark.fill(0);
      let mass = 0;
      for (const i of uncovered[b]) {
        mark[i] = 1;
        mass += w[i];
        c[u] += w[i] * r[i];
      }
      G[u * m + one] = G[one * m + u] = mass;
      for (let b2 = 0; b2 <= b; b2++) {
        let shared = 0;
        for (const i of uncovered[b2]) if (mark[i] === 1) shared += w[i];
        G[u * m + p + 1 + b2] = G[(p + 1 + b2) * m + u] = shared;
      }
    }
  }

  const startBeta = Float64Array.from(beta);
  const startIntercept = state.intercept;
  // Moving coefficient a by δ changes the fit by δ·A_a, so the residual gradients c change by −δ·G[a].
  const moveAlong = (a: number, delta: number): void => {
    const row = G.subarray(a * m, (a + 1) * m);
    for (let k = 0; k < m; k++) c[k] -= delta * row[k];
  };
  let result: DescentResult = { sweeps: maxSweeps, converged: false };
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    let largest = 0;
    for (let j = 0; j < p; j++) {
      const h = G[j * m + j];
      if (h === 0) continue;
      const old = beta[j];
      const next = softThreshold(c[j] + h * old, l1) / (h + l2);
      const delta = next - old;
      if (delta === 0) continue;
      beta[j] = next;
      moveAlong(j, delta);
      largest = Math.max(largest, Math.abs(delta) * Math.sqrt(h / weightSum));
    }
    if (fitIntercept) {
      const delta = c[one] / weightSum;
      state.intercept += delta;
      moveAlong(one, delta);
      largest = Math.max(largest, Math.abs(delta));
      for (let b = 0; b < B; b++) {
        const u = p + 1 + b;
        const start = blocks[2 * b];
        const end = blocks[2 * b + 1];
        const shift = minimizeShift(beta.subarray(start, end), G[u * m + u], c[u], l1, l2);
        if (shift === 0 || !Number.isFinite(shift)) continue;
        for (let j = start; j < end; j++) beta[j] += shift;
        state.intercept -= shift;
        moveAlong(u, -shift);
        largest = Math.max(largest, Math.abs(shift));
      }
    }
    if (largest <= tolerance) {
      result = { sweeps: sweep, converged: true };
      break;
    }
  }

  const interceptMove = state.intercept - startIntercept;
  if (interceptMove !== 0) for (let i = 0; i < n; i++) r[i] -= interceptMove;
  for (let j = 0; j < p; j++) {
    const delta = beta[j] - startBeta[j];
    const zj = Z.subarray(j * n, (j + 1) * n);
    if (delta !== 0) for (let i = 0; i < n; i++) r[i] -= delta * zj[i];
  }
  return result;
}
