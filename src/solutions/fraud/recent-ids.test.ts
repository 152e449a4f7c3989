import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentIds } from './recent-ids.js';

test('recent ids keep at least the newest `capacity` ids and forget the oldest generation first', () => {
  for (const capacity of [3, 20_000, 100_000]) {
    const ids = new RecentIds(capacity);
    const n = 3 * capacity + 40_000;
    for (let i = 0; i < n; i++) ids.add(`t${i}`);
    assert.ok(ids.size >= capacity && ids.size < capacity + 16_384, `${capacity}: kept ${ids.size}`);
    for (const i of [n - 1, n - capacity]) assert.ok(ids.has(`t${i}`), `${capacity}: t${i} forgotten`);
    assert.ok(!ids.has(`t${n - ids.size - 1}`), `${capacity}: the id before the kept ones is still known`);
    assert.ok(!ids.has('never'));
  }
});
