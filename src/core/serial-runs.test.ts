import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serialRuns } from './serial-runs.js';

test('calls during a run share the one run that starts after it', async () => {
  const buffered: number[] = [];
  const written: number[][] = [];
  let release!: () => void;
  let blocked = new Promise<void>((resolve) => (release = resolve));
  const flush = serialRuns(async () => {
    const batch = buffered.splice(0);
    await blocked;
    written.push(batch);
    return batch.length;
  });
  buffered.push(1);
  const first = flush();
  await Promise.resolve();
  buffered.push(2);
  const second = flush();
  buffered.push(3);
  const third = flush();
  assert.equal(second, third);
  release();
  blocked = Promise.resolve();
  assert.equal(await first, 1);
  assert.equal(await second, 2);
  assert.deepEqual(written, [[1], [2, 3]]);
});

test('a failed run rejects its callers and the next call runs again', async () => {
  let fail = true;
  const run = serialRuns(() => (fail ? Promise.reject(new Error('disk full')) : Promise.resolve('ok')));
  await assert.rejects(run(), /disk full/);
  fail = false;
  assert.equal(await run(), 'ok');
});
