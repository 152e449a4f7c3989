import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { WorkerPool } from './pool.js';

const FIXTURE = new URL('./pool-fixture.ts', import.meta.url).href;
const pool = new WorkerPool(3);
after(() => pool.close());

function sharedValues(n: number): Float64Array {
  const values = new Float64Array(new SharedArrayBuffer(n * 8));
  for (let i = 0; i < n; i++) values[i] = i + 1;
  return values;
}

test('kernels run on every worker over shared memory, many times', () => {
  const values = sharedValues(1000);
  const sums = new Float64Array(new SharedArrayBuffer(3 * 8));
  const session = pool.open(FIXTURE, { values, sums });
  try {
    assert.equal(session.workers, 2);
    for (let round = 0; round < 200; round++) {
      session.args(0).set([0, 400, 0]);
      session.args(1).set([400, 800, 1]);
      session.start(0, 2);
      let own = 0;
      for (let i = 800; i < 1000; i++) own += values[i];
      sums[2] = own;
      session.wait();
      assert.equal(sums[0] + sums[1] + sums[2], 500500);
    }
  } finally {
    session.close();
  }
});

test("a kernel's error reaches the caller with its message, and the pool stays usable", () => {
  const values = sharedValues(10);
  const sums = new Float64Array(new SharedArrayBuffer(8));
  const session = pool.open(FIXTURE, { values, sums });
  try {
    session.args(0)[0] = 7;
    session.start(1, 1);
    assert.throws(
      () => session.wait(),
      /a worker thread failed while running a kernel: kernel asked to fail with 7/,
    );
    session.args(0).set([0, 10, 0]);
    session.start(0, 1);
    session.wait();
    assert.equal(sums[0], 55);
  } finally {
    session.close();
  }
});

test('a call the caller claims back is run once, by the caller', () => {
  const calls = new Int32Array(new SharedArrayBuffer(4));
  const session = pool.open(FIXTURE, { values: sharedValues(1), sums: sharedValues(1), calls });
  try {
    let claimed = 0;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let round = 0; round < 500; round++) {
      // Now and then let the workers fall asleep, so that they are slow to begin the next call.
      if (round % 5 === 0) Atomics.wait(pause, 0, 0, 1);
      session.start(2, 2);
      for (let w = 0; w < 2; w++) {
        if (!session.claim(w)) continue;
        claimed++;
        Atomics.add(calls, 0, 1);
      }
      assert.equal(session.claim(0), false);
      session.wait();
    }
    assert.equal(calls[0], 1000);
    assert.ok(claimed > 0, 'a call claimed right after start (workers take microseconds to wake)');
  } finally {
    session.close();
  }
});

test('one session at a time; a module without init is refused', () => {
  const session = pool.open(FIXTURE, { values: sharedValues(1), sums: sharedValues(1) });
  assert.throws(() => pool.open(FIXTURE, {}), /already has an open session/);
  session.close();
  assert.throws(
    () => pool.open(new URL('./protocol.ts', import.meta.url).href, {}),
    /does not export init\(context\)/,
  );
});
