import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from './random.js';

test('the same seed gives the same stream; another seed another', () => {
  const a = new Random(7);
  const b = new Random(7);
  const c = new Random(8);
  const xs = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(
    xs,
    Array.from({ length: 5 }, () => b.nextUint32()),
  );
  assert.notDeepEqual(
    xs,
    Array.from({ length: 5 }, () => c.nextUint32()),
  );
});

test('uniform draws look uniform and normals look normal', () => {
  const random = new Random(1);
  const n = 200_000;
  let sum = 0;
  let sumSq = 0;
  const buckets = new Array<number>(10).fill(0);
  for (let i = 0; i < n; i++) {
    const u = random.next();
    assert.ok(u >= 0 && u < 1);
    buckets[Math.floor(u * 10)]++;
    const z = random.normal();
    sum += z;
    sumSq += z * z;
  }
  for (const count of buckets) assert.ok(Math.abs(count / n - 0.1) < 0.005, `bucket share ${count / n}`);
  assert.ok(Math.abs(sum / n) < 0.01);
  assert.ok(Math.abs(sumSq / n - 1) < 0.02);
});

test('shuffle is a permutation', () => {
  const values = Int32Array.from({ length: 1000 }, (_, i) => i);
  new Random(3).shuffle(values);
  assert.notDeepEqual(Array.from(values.slice(0, 10)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(
    Array.from(values).sort((a, b) => a - b),
    Array.from({ length: 1000 }, (_, i) => i),
  );
});
