import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../core/random.js';
import { descend, descendNaive, minimizeShift } from './coordinate-descent.js';
import { descendGram } from './gram-descent.js';
import type { PenalizedLeastSquares } from './penalized-least-squares.js';

test('minimizeShift finds the minimum of the 1-D piecewise quadratic', () => {
  const random = new Random(3);
  for (let trial = 0; trial < 200; trial++) {
    const values = Float64Array.from({ length: 1 + random.int(6) }, () => random.normal());
    const a = trial % 3 === 0 ? 0 : random.next() * 3;
    const b = random.normal() * 2;
    const l1 = trial % 4 === 0 ? 0 : random.next();
    const l2 = trial % 5 === 0 ? 0 : random.next();
    const f = (c: number) =>
      0.5 * a * c * c +
      b * c +
      values.reduce((s, v) => s + l1 * Math.abs(v + c) + 0.5 * l2 * (v + c) ** 2, 0);
    const c = minimizeShift(values, a, b, l1, l2);
    if (a + values.length * l2 === 0 && Math.abs(b) > values.length * l1) continue; // unbounded below
    for (const probe of [-1e-3, 1e-3, -0.1, 0.1, -1, 1]) {
      assert.ok(f(c) <= f(c + probe) + 1e-12, `trial ${trial}: f(${c}) > f(${c + probe})`);
    }
  }
});

test('the lasso on orthonormal columns is soft thresholding', () => {
  // Columns e₀, e₁ scaled to unit norm: β_j = S(x_jᵀy, l1), no intercept.
  const n = 4;
  const Z = Float64Array.of(1, 0, 0, 0, 0, 1, 0, 0);
  const y = Float64Array.of(3, -0.2, 5, 5);
  const problem: PenalizedLeastSquares = {
    ...{ Z, n, p: 2, w: new Float64Array(n).fill(1), r: Float64Array.from(y) },
    ...{ l1: 0.5, l2: 0, fitIntercept: false, blocks: new Int32Array(0) },
  };
  const state = { beta: new Float64Array(2), intercept: 0 };
  assert.ok(descend(problem, state, 1e-14, 100).converged);
  assert.deepEqual(Array.from(state.beta), [2.5, 0]);
});

function randomProblem(seed: number): { problem: PenalizedLeastSquares; y: Float64Array } {
  const random = new Random(seed);
  const n = 200;
  const p = 7;
  const Z = new Float64Array(n * p);
  // Columns 0–3 numeric; 4–6 one-hot of a 3-level category, missing on every 10th row.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) Z[j * n + i] = random.normal() + (j === 1 ? Z[i] : 0);
    if (i % 10 !== 0) Z[(4 + random.int(3)) * n + i] = 1;
  }
  const y = Float64Array.from(
    { length: n },
    (_, i) => 1 + 2 * Z[i] - Z[2 * n + i] + 3 * Z[5 * n + i] + random.normal(),
  );
  const w = Float64Array.from({ length: n }, () => 0.5 + random.next());
  const problem = {
    Z,
    n,
    p,
    w,
    r: Float64Array.from(y),
    l1: 3,
    l2: 2,
    fitIntercept: true,
    blocks: Int32Array.of(4, 7),
  };
  return { problem, y };
}

test('covariance and naive sweeps reach the same optimum, and the residual is kept current', () => {
  const results = [descendGram, descendNaive].map((solve) => {
    const { problem, y } = randomProblem(11);
    const state = { beta: new Float64Array(problem.p), intercept: 0 };
    assert.ok(solve(problem, state, 1e-13, 100_000).converged);
    const { Z, n, p, r } = problem;
    for (let i = 0; i < n; i++) {
      let fit = state.intercept;
      for (let j = 0; j < p; j++) fit += Z[j * n + i] * state.beta[j];
      assert.ok(Math.abs(r[i] - (y[i] - fit)) < 1e-9, `residual ${i}`);
    }
    return state;
  });
  const [gram, naive] = results;
  gram.beta.forEach((v, j) =>
    assert.ok(Math.abs(v - naive.beta[j]) < 1e-9, `beta ${j}: ${v} vs ${naive.beta[j]}`),
  );
  assert.ok(Math.abs(gram.intercept - naive.intercept) < 1e-9);
});

test('at the optimum the subgradient conditions hold', () => {
  const { problem } = randomProblem(5);
  const state = { beta: new Float64Array(problem.p), intercept: 0 };
  descend(problem, state, 1e-13, 100_000);
  const { Z, n, p, w, r, l1, l2 } = problem;
  for (let j = 0; j < p; j++) {
    let g = 0;
    for (let i = 0; i < n; i++) g += w[i] * Z[j * n + i] * r[i];
    const beta = state.beta[j];
    if (beta === 0) assert.ok(Math.abs(g) <= l1 + 1e-8, `feature ${j}: |g| = ${Math.abs(g)}`);
    else assert.ok(Math.abs(g - l2 * beta - l1 * Math.sign(beta)) < 1e-8, `feature ${j}`);
  }
  let g0 = 0;
  for (let i = 0; i < n; i++) g0 += w[i] * r[i];
  assert.ok(Math.abs(g0) < 1e-8);
});
