import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../core/random.js';
import { choleskySolve, solveSymmetric, symmetricEigen } from './symmetric-solve.js';

/** AᵀA (p × p) of a random n × p matrix whose last column repeats the first when `singular`. */
function gram(n: number, p: number, singular: boolean, seed = 7): Float64Array {
  const random = new Random(seed);
  const X = Float64Array.from({ length: n * p }, () => random.normal());
  if (singular) X.copyWithin((p - 1) * n, 0, n);
  const A = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < p; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += X[j * n + i] * X[k * n + i];
      A[j * p + k] = s;
    }
  }
  return A;
}

function multiply(A: Float64Array, x: Float64Array, p: number): Float64Array {
  return Float64Array.from({ length: p }, (_, i) => x.reduce((s, v, k) => s + A[i * p + k] * v, 0));
}

test('Cholesky solves a positive definite system', () => {
  const p = 6;
  const A = gram(40, p, false);
  const b = Float64Array.from({ length: p }, (_, i) => i - 2);
  const x = choleskySolve(A, b, p)!;
  multiply(A, x, p).forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-10));
  assert.equal(solveSymmetric(A, b, p).method, 'cholesky');
});

test('the Jacobi eigendecomposition reconstructs the matrix', () => {
  const p = 7;
  const A = gram(30, p, true);
  const { values, vectors } = symmetricEigen(A, p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += vectors[i * p + k] * values[k] * vectors[j * p + k];
      assert.ok(Math.abs(s - A[i * p + j]) < 1e-9 * Math.abs(A[0]));
    }
  }
});

test('a rank-deficient system gets the minimum-norm solution', () => {
  const p = 5;
  const A = gram(50, p, true);
  // b in the range of A, so an exact solution exists; the minimum-norm one splits the weight of the
  // duplicated column evenly between its two copies.
  const b = multiply(A, Float64Array.of(1, 2, -1, 0.5, 3), p);
  assert.equal(choleskySolve(A, b, p), null);
  const solution = solveSymmetric(A, b, p);
  assert.equal(solution.method, 'eigen');
  assert.equal(solution.rank, p - 1);
  const expected = [2, 2, -1, 0.5, 2];
  solution.x.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-8, `x[${i}] = ${v}`));
});
