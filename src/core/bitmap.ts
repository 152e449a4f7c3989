/**
 * Validity bitmaps: bit i set means row i holds a value. Bits are LSB-first within each byte, the
 * layout DuckDB's vectors and Arrow use, so a bitmap moves to and from DuckDB as raw bytes on the
 * little-endian machines Node runs on.
 */

/** Bytes needed for a bitmap of `n` rows. */
export function bitmapBytes(n: number): number {
  return (n + 7) >>> 3;
}

/** A bitmap of `n` rows, every row valid (padding bits in the last byte are set too). */
export function allValid(n: number): Uint8Array {
  return new Uint8Array(bitmapBytes(n)).fill(0xff);
}

/** Whether bit `i` is set. */
export function getBit(bits: Uint8Array, i: number): boolean {
  return ((bits[i >>> 3] >>> (i & 7)) & 1) === 1;
}

export function setBit(bits: Uint8Array, i: number): void {
  bits[i >>> 3] |= 1 << (i & 7);
}

export function clearBit(bits: Uint8Array, i: number): void {
  bits[i >>> 3] &= ~(1 << (i & 7));
}

/** Number of cleared bits (nulls) among the first `n`. */
export function countCleared(bits: Uint8Array, n: number): number {
  const whole = n >>> 3;
  let set = 0;
  for (let b = 0; b < whole; b++) set += popcount8(bits[b]);
  for (let i = whole << 3; i < n; i++) if (getBit(bits, i)) set++;
  return n - set;
}

/** Whether any of the first `n` bits is cleared; stops at the first one. */
export function anyCleared(bits: Uint8Array, n: number): boolean {
  const whole = n >>> 3;
  for (let b = 0; b < whole; b++) if (bits[b] !== 0xff) return true;
  for (let i = whole << 3; i < n; i++) if (!getBit(bits, i)) return true;
  return false;
}

/** Copies `count` bits from `src` (starting at bit 0) into `dst` starting at bit `dstStart`. */
export function copyBits(dst: Uint8Array, dstStart: number, src: Uint8Array, count: number): void {
  const shift = dstStart & 7;
  const first = dstStart >>> 3;
  if (shift === 0) {
    const whole = count >>> 3;
    dst.set(src.subarray(0, whole), first);
    for (let i = whole << 3; i < count; i++) writeBit(dst, dstStart + i, getBit(src, i));
    return;
  }
  // Unaligned: streamed chunks after a filter can hold any number of rows, so the next one starts mid-byte.
  const low = (1 << shift) - 1;
  const whole = count >>> 3;
  for (let k = 0; k < whole; k++) {
    const v = src[k];
    dst[first + k] = (dst[first + k] & low) | ((v << shift) & 0xff);
    dst[first + k + 1] = (dst[first + k + 1] & ~low) | (v >>> (8 - shift));
  }
  for (let i = whole << 3; i < count; i++) writeBit(dst, dstStart + i, getBit(src, i));
}

function writeBit(bits: Uint8Array, i: number, value: boolean): void {
  if (value) setBit(bits, i);
  else clearBit(bits, i);
}

function popcount8(x: number): number {
  x = x - ((x >>> 1) & 0x55);
  x = (x & 0x33) + ((x >>> 2) & 0x33);
  return (x + (x >>> 4)) & 0x0f;
}
