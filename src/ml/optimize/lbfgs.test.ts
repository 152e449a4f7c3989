import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimizeLbfgs, type Objective } from './lbfgs.js';
import { strongWolfe } from './line-search.js';

/** The n-dimensional Rosenbrock function (chained form); minimum 0 at (1, …, 1). */
const rosenbrock: Objective = (x, grad) => {
  let f = 0;
  grad.fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    grad[i] += -400 * x[i] * a - 2 * b;
    grad[i + 1] += 200 * a;
  }
  return f;
};

test('L-BFGS finds the minimum of the 2-D Rosenbrock function from (-1.2, 1)', () => {
  const result = minimizeLbfgs(rosenbrock, Float64Array.of(-1.2, 1), { gradTol: 1e-10 });
  assert.ok(result.converged);
  assert.ok(result.iterations < 60, `took ${result.iterations} iterations`);
  assert.ok(
    Math.abs(result.x[0] - 1) < 1e-8 && Math.abs(result.x[1] - 1) < 1e-8,
    `x = ${result.x.join(', ')}`,
  );
  assert.ok(result.loss < 1e-16);
});

test('L-BFGS solves the 30-D Rosenbrock function', () => {
  const x0 = new Float64Array(30).map((_, i) => (i % 2 === 0 ? -1.2 : 1));
  const result = minimizeLbfgs(rosenbrock, x0, { gradTol: 1e-9, lossTol: 0, maxIter: 1000 });
  assert.ok(result.converged && result.gradNorm <= 1e-9);
  // scipy's L-BFGS-B (m = 10) needs 191 iterations from the same start.
  assert.ok(result.iterations < 300, `took ${result.iterations} iterations`);
  for (const v of result.x) assert.ok(Math.abs(v - 1) < 1e-7);
  assert.equal(x0[0], -1.2, 'the start point is not modified');
});

test('L-BFGS solves an ill-conditioned quadratic to rounding precision', () => {
  // f(x) = ½ xᵀAx − bᵀx with A diagonal, eigenvalues 1 … 1e4; the minimum is x = A⁻¹b.
  const n = 50;
  const a = Float64Array.from({ length: n }, (_, i) => 10 ** ((4 * i) / (n - 1)));
  const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
  const quadratic: Objective = (x, grad) => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      grad[i] = a[i] * x[i] - b[i];
      f += 0.5 * a[i] * x[i] * x[i] - b[i] * x[i];
    }
    return f;
  };
  // With lossTol 0 it runs until f stops decreasing in double precision; scipy's L-BFGS-B stops
  // there too, after 788 iterations with max |∇f| = 5.8e-7.
  const result = minimizeLbfgs(quadratic, new Float64Array(n), { gradTol: 1e-10, lossTol: 0, maxIter: 2000 });
  assert.ok(result.converged);
  assert.ok(result.iterations < 1000, `took ${result.iterations} iterations`);
  assert.ok(result.gradNorm <= 1e-6, `max |grad| = ${result.gradNorm}`);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(result.x[i] - b[i] / a[i]) < 1e-6);
});

test('L-BFGS stops on the relative loss change and reports iterations it ran out of', () => {
  const start = Float64Array.of(-1.2, 1);
  const loose = minimizeLbfgs(rosenbrock, start, { gradTol: 0, lossTol: 1e-3 });
  assert.ok(loose.converged && loose.loss > 0);
  const short = minimizeLbfgs(rosenbrock, start, { maxIter: 3 });
  assert.equal(short.iterations, 3);
  assert.equal(short.converged, false);
});

test('L-BFGS is already converged at a stationary start and survives an overflowing objective', () => {
  const atMinimum = minimizeLbfgs(rosenbrock, Float64Array.of(1, 1));
  assert.equal(atMinimum.iterations, 0);
  assert.ok(atMinimum.converged);
  // exp(x) − 2x overflows far to the right; the line search must treat Infinity as "too far".
  const steep: Objective = (x, grad) => {
    grad[0] = Math.exp(x[0]) - 2;
    return Math.exp(x[0]) - 2 * x[0];
  };
  const result = minimizeLbfgs(steep, Float64Array.of(-800), { gradTol: 1e-12 });
  assert.ok(result.converged);
  assert.ok(Math.abs(result.x[0] - Math.LN2) < 1e-10);
});

test('the strong-Wolfe line search returns a step meeting both conditions', () => {
  // phi(t) = (t − 3)², slope −6 at 0: any step with |phi'(t)| ≤ 0.9·6 and sufficient decrease.
  const probe = (t: number) => ({ value: (t - 3) ** 2, slope: 2 * (t - 3) });
  const result = strongWolfe(probe, probe(0), 1, { c1: 1e-4, c2: 0.1 });
  assert.ok(result.ok);
  assert.ok(Math.abs(2 * (result.step - 3)) <= 0.1 * 6);
  assert.ok(result.value <= 9 + 1e-4 * result.step * -6);
});
