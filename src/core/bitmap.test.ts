import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allValid,
  anyCleared,
  bitmapBytes,
  clearBit,
  copyBits,
  countCleared,
  getBit,
  setBit,
} from './bitmap.js';

/** A seeded LCG, so a failing case can be replayed. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

test('bits are LSB-first within each byte, as in DuckDB and Arrow', () => {
  const bits = new Uint8Array(2);
  setBit(bits, 0);
  setBit(bits, 9);
  assert.deepEqual([...bits], [0b0000_0001, 0b0000_0010]);
  assert.equal(getBit(bits, 9), true);
  clearBit(bits, 9);
  assert.equal(getBit(bits, 9), false);
  assert.equal(bitmapBytes(0), 0);
  assert.equal(bitmapBytes(8), 1);
  assert.equal(bitmapBytes(9), 2);
  assert.deepEqual([...allValid(9)], [0xff, 0xff]);
});

test('countCleared and anyCleared look only at the first n bits', () => {
  const bits = allValid(20);
  clearBit(bits, 3);
  clearBit(bits, 17);
  assert.equal(countCleared(bits, 20), 2);
  assert.equal(countCleared(bits, 17), 1);
  assert.equal(countCleared(bits, 3), 0);
  assert.equal(anyCleared(bits, 3), false);
  assert.equal(anyCleared(bits, 4), true);
  const tail = allValid(16);
  clearBit(tail, 12);
  assert.equal(anyCleared(tail, 12), false);
  assert.equal(anyCleared(tail, 13), true);
});

test('copyBits writes exactly the target range at every alignment', () => {
  for (let start = 0; start < 17; start++) {
    for (let count = 0; count < 70; count++) {
      const src = randomBytes(bitmapBytes(count) + 1, start * 100 + count);
      const dst = randomBytes(bitmapBytes(start + count) + 2, count * 100 + start + 7);
      const expected = dst.slice();
      for (let i = 0; i < count; i++) {
        if (getBit(src, i)) setBit(expected, start + i);
        else clearBit(expected, start + i);
      }
      copyBits(dst, start, src, count);
      assert.deepEqual(dst, expected, `start ${start}, count ${count}`);
    }
  }
});
